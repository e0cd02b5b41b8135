import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, messageOf } from '../api/problem';
import { useAuth } from '../app/auth';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { Notice } from '../ui/states';
import { safeNext } from './sign-in.page';

type Errors = Partial<Record<'name' | 'email' | 'password', string>>;

export function SignUpPage() {
  const { signUp } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Errors = {};
    if (!form.name.trim()) found.name = 'Enter your name.';
    if (!/^\S+@\S+\.\S+$/.test(form.email.trim()))
      found.email = 'Enter an email address such as ana@example.com.';
    if (form.password.length < 10) found.password = 'Use at least 10 characters.';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await signUp({ name: form.name.trim(), email: form.email.trim(), password: form.password });
      navigate(next, { replace: true });
    } catch (error) {
      setFailure(messageOf(error));
      if (error instanceof ApiError) setErrors(error.fieldErrors as Errors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-card card">
      <PageTitle title="Create an account">Create an account</PageTitle>
      <form className="form" onSubmit={submit} noValidate>
        {failure && <Notice tone="error">{failure}</Notice>}
        <TextField
          label="Name"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          error={errors.name}
        />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={errors.email}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters; a passphrase is easiest to remember."
          value={form.password}
          onChange={set('password')}
          error={errors.password}
        />
        <Button type="submit" busy={busy} className="button--wide">
          Create account
        </Button>
        <p className="muted">
          Have an account? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link>.
        </p>
      </form>
    </section>
  );
}
