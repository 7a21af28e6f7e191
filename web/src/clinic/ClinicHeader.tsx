import { clinicApi, type User } from './api';
import { navigate } from './router';

/** The clinician pages' top bar: who is logged in, the dashboard, Log out. */
export function ClinicHeader({ user, title }: { user: User; title: string }) {
  const logout = async () => {
    await clinicApi.logout().catch(() => undefined);
    navigate('/login');
  };
  return (
    <header className="clinic-header">
      <div>
        <p className="clinic-brand">MediCall</p>
        <h1>{title}</h1>
      </div>
      <nav aria-label="Account" className="clinic-nav">
        <a
          href="/dashboard"
          onClick={(e) => {
            e.preventDefault();
            navigate('/dashboard');
          }}
        >
          Dashboard
        </a>
        <span className="hint">{user.name}</span>
        <button type="button" className="secondary" onClick={() => void logout()}>
          Log out
        </button>
      </nav>
    </header>
  );
}
