import { createBrowserRouter, Navigate, Outlet } from 'react-router';
import { useSession } from '../lib/session';

function RequireSession() {
  return useSession() ? <Outlet /> : <Navigate to="/sign-in" replace />;
}

function RedirectSignedIn() {
  return useSession() ? <Navigate to="/" replace /> : <Outlet />;
}

/** Each screen is its own chunk: the sign-in page loads none of the signed-in code. */
export const router = createBrowserRouter([
  {
    element: <RedirectSignedIn />,
    children: [
      { path: '/sign-in', lazy: async () => ({ Component: (await import('../features/auth/routes/sign-in-route')).SignInRoute }) },
    ],
  },
  {
    element: <RequireSession />,
    children: [{ path: '*', lazy: async () => ({ Component: (await import('../features/shell/routes/shell-route')).ShellRoute }) }],
  },
]);
