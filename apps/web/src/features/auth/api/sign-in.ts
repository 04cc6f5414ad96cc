import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';
import { sessionStore } from '../../../lib/session';

export interface SignInInput {
  corp: string;
  account: string;
  password: string;
}

export const signIn = (input: SignInInput) => unwrap(api.POST('/api/v1/auth/login', { body: input }));

/** Signs in and keeps the access token in memory; the server's refusal comes back as an ApiError. */
export function useSignIn() {
  return useMutation({
    mutationFn: signIn,
    onSuccess: (tokens) => sessionStore.set({ accessToken: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 }),
  });
}
