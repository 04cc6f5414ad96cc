import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';
import { sessionStore } from '../../../lib/session';

/** Revokes the session on the server, then forgets it here even if the server could not be reached. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      sessionStore.set(undefined);
      queryClient.clear();
    },
  });
}
