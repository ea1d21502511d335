import { render } from 'preact';
import { consoleTokenParameter } from '../../shared/admin-api/console-session.ts';
import { signIn } from './api.ts';
import { App } from './app.tsx';
import './console.css';

/**
 * Starts the console. A console link (`/#token=…`) carries its secret in the fragment, which the browser never
 * sends: the page trades it for the session cookie, then takes it out of the address bar and the history before
 * anything else renders.
 */
async function start(): Promise<void> {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const secret = fragment.get(consoleTokenParameter);
  let signInError: string | undefined;
  if (secret !== null) {
    window.history.replaceState(null, '', `${window.location.pathname}#/`);
    try {
      await signIn(secret);
    } catch (error) {
      signInError = (error as Error).message;
    }
  }
  const root = document.getElementById('app') ?? document.body;
  render(<App {...(signInError === undefined ? {} : { signInError })} />, root);
}

void start();
