import { type FormEvent, type ReactNode, useCallback, useState } from 'react';
import { ApiError } from '../app/api.ts';
import { t } from '../app/i18n.ts';

// Forms of the account, project and settings pages: one submit state, the server's error shown
// with the field it concerns, and the fields they share. Their texts are account.* keys.

export interface Action {
  busy: boolean;
  error: Error | null;
  /** Runs fn (on a form submit, the default is prevented); errors land in `error`. */
  run(fn: () => Promise<void>, event?: FormEvent): Promise<void>;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(async (fn: () => Promise<void>, event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/**
 * The error of a form: "E-mail: a valid e-mail address is required". `fields` maps the server's
 * field names to the labels shown on the form.
 */
export function FormError({ error, fields = {} }: { error: Error | null; fields?: Record<string, string> }) {
  if (!error) return null;
  const field = error instanceof ApiError && error.field ? (fields[error.field] ?? error.field) : null;
  return (
    <p className="error" role="alert" data-field={error instanceof ApiError ? error.field : undefined}>
      {field ? t('account.fieldError', { field, message: error.message }) : error.message}
    </p>
  );
}

/** The token of a link such as /setup#token=…, taken once and then removed from the address bar. */
export function takeFragmentToken(): string {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}

/**
 * A required input that the browser's password manager fills in: the e-mail (`username`), the
 * password to sign in with (`current-password`) or a new one (`new-password`).
 */
export function CredentialField({
  label,
  value,
  onChange,
  autoComplete,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  autoComplete: 'username' | 'current-password' | 'new-password';
}) {
  return (
    <label>
      {label}
      <input
        type={autoComplete === 'username' ? 'email' : 'password'}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/** A button that runs `fn` as the form's action (disabled while one runs), once `confirm` is accepted. */
export function ActionButton({
  action,
  fn,
  confirm,
  className,
  disabled = false,
  children,
}: {
  action: Action;
  fn(): Promise<void>;
  confirm?: string;
  className?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={className}
      disabled={action.busy || disabled}
      onClick={() =>
        void action.run(async () => {
          if (confirm !== undefined && !window.confirm(confirm)) return;
          await fn();
        })
      }
    >
      {children}
    </button>
  );
}

/** A select of every timezone (see `timezones`). */
export function TimezoneSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {timezones(value).map((tz) => (
          <option key={tz} value={tz}>
            {tz}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Every IANA timezone the browser knows (for the timezone selects). */
export function timezones(current: string): string[] {
  const known = Intl.supportedValuesOf?.('timeZone') ?? ['UTC'];
  const all = known.includes('UTC') ? known : ['UTC', ...known];
  return all.includes(current) ? all : [current, ...all];
}

export function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A secret shown once (API key, token, invitation link) with a copy button. */
export function OnceSecret({ value, hint, testId }: { value: string; hint: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="once-secret" role="status">
      <p className="muted">{hint}</p>
      <div className="secret" data-testid={testId}>
        {value}
      </div>
      <button
        type="button"
        className="secondary"
        onClick={() =>
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('account.copied') : t('account.copy')}
      </button>
    </div>
  );
}
