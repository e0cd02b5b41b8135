import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { messageOf } from '../api/problem';
import { useAuth } from '../app/auth';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { Notice } from '../ui/states';

/** Only paths of this app: a `next` pointing elsewhere would make the sign-in page an open redirect. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await signIn(email.trim(), password);
      navigate(next, { replace: true });
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-card card">
      <PageTitle title="Sign in">Sign in</PageTitle>
      <form className="form" onSubmit={submit}>
        {failure && <Notice tone="error">{failure}</Notice>}
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Button type="submit" busy={busy} className="button--wide">
          Sign in
        </Button>
        <p className="muted">
          New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link>. Your cart
          comes with you.
        </p>
      </form>
    </section>
  );
}
