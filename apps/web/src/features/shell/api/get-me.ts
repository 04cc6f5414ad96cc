import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';

export const meQuery = () => queryOptions({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/api/v1/me')) });

export const useMe = () => useQuery(meQuery());
