import { type FormEvent, useState } from 'react';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';

/** The admin lists' search box: `onSearch` hears the trimmed text when the form is sent. */
export function ProductSearch({ onSearch }: { onSearch: (q: string) => void }) {
  const [text, setText] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text.trim());
  };

  return (
    <search>
      <form className="filters" onSubmit={submit}>
        <TextField
          label="Search products"
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <span />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
    </search>
  );
}
