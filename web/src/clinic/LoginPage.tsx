import { useState } from 'react';

import type { ClinicApi } from './api';
import { loginProblem } from './messages';
import { navigate } from './router';

interface Props {
  api: ClinicApi;
  /** Where to go once logged in (the dashboard). */
  onLoggedIn?: () => void;
}

/** Clinician login: email and password; one message for every refusal (no account enumeration). */
export function LoginPage({ api, onLoggedIn = () => navigate('/dashboard') }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setProblem('Enter your email and password.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.login(email.trim(), password);
      onLoggedIn();
    } catch (error) {
      setProblem(loginProblem(error));
      setBusy(false);
    }
  };

  return (
    <main className="join clinic-page narrow">
      <header className="brand">
        <h1>MediCall</h1>
        <p>Clinician login</p>
      </header>
      <form className="join-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="login-title">
        <h2 id="login-title">Log in</h2>
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
