import { useEffect, useState } from 'preact/hooks';
import { signOut, whenSignedOut } from './api.ts';
import { DataSourcesPage } from './pages/data-sources.tsx';
import { DeadLettersPage } from './pages/dead-letters.tsx';
import { GroupPage } from './pages/group-detail.tsx';
import { EditGroupPage, NewGroupPage } from './pages/group-form.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import { href, type Route, useRoute } from './router.ts';

const sections: readonly { readonly page: Route['page']; readonly label: string; readonly target: string }[] = [
  { page: 'overview', label: 'Groups', target: href([]) },
  { page: 'runs', label: 'Runs', target: href(['runs']) },
  { page: 'dead-letters', label: 'Dead letters', target: href(['dead-letters']) },
  { page: 'data-sources', label: 'Data sources', target: href(['data-sources']) },
];

/** The section a page belongs to, for the navigation's current item. */
function sectionOf(route: Route): Route['page'] {
  if (route.page === 'run') return 'runs';
  if (route.page === 'group' || route.page === 'edit-group' || route.page === 'new-group') return 'overview';
  return route.page;
}

const titles: Record<Route['page'], string> = {
  overview: 'Job groups',
  'new-group': 'New group',
  group: 'Group',
  'edit-group': 'Edit group',
  runs: 'Runs',
  run: 'Run',
  'dead-letters': 'Dead letters',
  'data-sources': 'Data sources',
  'not-found': 'Not found',
};

/** The console: navigation, then the page the hash names. */
export function App({ signInError }: { signInError?: string }) {
  const route = useRoute();
  const [signedOut, setSignedOut] = useState(signInError !== undefined);
  useEffect(() => whenSignedOut(() => setSignedOut(true)), []);
  useEffect(() => {
    const detail = 'groupId' in route ? ` ${route.groupId}` : 'runId' in route ? ` ${route.runId}` : '';
    document.title = `${titles[route.page]}${detail} · moomoo console`;
    // A new page starts at its top, its heading next for keyboard and screen-reader users.
    window.scrollTo(0, 0);
  }, [route]);
  const current = sectionOf(route);
  return (
    <>
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href([])}>
          moomoo
        </a>
        <nav aria-label="Sections">
          <ul class="sections">
            {sections.map((section) => (
              <li key={section.page}>
                <a href={section.target} aria-current={current === section.page ? 'page' : undefined}>
                  {section.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="link sign-out"
          onClick={async () => {
            await signOut();
            setSignedOut(true);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {signedOut ? <SignedOut reason={signInError} /> : <Page route={route} />}
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'new-group':
      return <NewGroupPage />;
    case 'group':
      return <GroupPage key={route.groupId} groupId={route.groupId} />;
    case 'edit-group':
      return <EditGroupPage key={route.groupId} groupId={route.groupId} />;
    case 'runs':
      return (
        <RunsPage key={route.groupId ?? ''} {...(route.groupId === undefined ? {} : { groupId: route.groupId })} />
      );
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} />;
    case 'dead-letters':
      return (
        <DeadLettersPage
          {...(route.groupId === undefined ? {} : { groupId: route.groupId })}
          {...(route.runId === undefined ? {} : { runId: route.runId })}
        />
      );
    case 'data-sources':
      return <DataSourcesPage />;
    case 'not-found':
      return (
        <>
          <h1>No such page</h1>
          <p>
            Nothing lives at <code>{route.hash}</code>. <a href={href([])}>Go to the job groups</a>.
          </p>
        </>
      );
  }
}

function SignedOut({ reason }: { reason?: string | undefined }) {
  return (
    <>
      <h1>Sign in</h1>
      {reason === undefined ? null : (
        <p class="outcome outcome-error" role="alert">
          {reason}
        </p>
      )}
      <p>
        This console signs in through a link that carries a one-time secret. Open the <code>Console:</code> link that{' '}
        <code>npm start</code> prints (the local sandbox), or that <code>moomoo console --url &lt;AdminApiUrl&gt;</code>{' '}
        prints (a deployment), in this browser.
      </p>
    </>
  );
}
