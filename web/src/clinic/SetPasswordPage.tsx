import { useState } from 'react';

import type { ClinicApi } from './api';
import { setPasswordProblem } from './messages';

export const kMinPasswordLength = 10;

/** What is wrong with a new password and its confirmation, or null. */
export function newPasswordProblem(password: string, confirm: string): string | null {
  if (password.length < kMinPasswordLength) return `Choose a password of at least ${kMinPasswordLength} characters.`;
  if (password !== confirm) return 'The two passwords are not the same.';
  return null;
}

interface Props {
  api: ClinicApi;
  token: string;
}

/** `/set-password/<token>`: the one-time link `medicall user add` printed. */
export function SetPasswordPage({ api, token }: Props) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const bad = newPasswordProblem(password, confirm);
    if (bad) {
      setProblem(bad);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.setPassword(token, password);
      setDone(true);
    } catch (error) {
      setProblem(setPasswordProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="join clinic-page narrow">
      <header className="brand">
        <h1>MediCall</h1>
        <p>Set your password</p>
      </header>
      {done ? (
        <div className="join-form">
          <p role="status">Your password is set.</p>
          <p>
            <a href="/login">Log in</a>
          </p>
        </div>
      ) : (
        <form className="join-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="set-password-title">
          <h2 id="set-password-title">Choose a password</h2>
          <p className="hint" id="password-rule">
            At least {kMinPasswordLength} characters.
          </p>
          <div className="field">
            <label htmlFor="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              aria-describedby="password-rule"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="confirm-password">Confirm password</label>
            <input
              id="confirm-password"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </div>
          {problem && (
            <p className="problem" role="alert">
              {problem}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </form>
      )}
    </main>
  );
}
