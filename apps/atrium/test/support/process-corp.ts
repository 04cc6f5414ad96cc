import { directoryV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { createCorp } from '../../src/corp-admin';

export type DirectoryGrpc = GrpcServiceClient<directoryV1.DirectoryServiceClient>;

/**
 * A corp on a platform of service processes, with its super admin `admin` (password `admin-password`)
 * and a directory client to add members as that admin.
 */
export async function createProcessCorp(
  platform: { grpcUrls: { directory: string } },
  identityKey: string,
  code: string,
  name: string,
): Promise<{ admin: CallerIdentity; directory: DirectoryGrpc }> {
  const created = await createCorp(platform.grpcUrls.directory, identityKey, {
    code,
    name,
    adminUserid: 'admin',
    adminPassword: 'admin-password',
  });
  const directory: DirectoryGrpc = new GrpcServiceClient<directoryV1.DirectoryServiceClient>(
    {
      caller: 'test',
      url: platform.grpcUrls.directory,
      packageName: 'atrium.directory.v1',
      protoPath: protoPathFor('directory'),
      identityKey,
    },
    directoryV1.DIRECTORY_SERVICE_NAME,
  );
  return { admin: { corpId: created.corp!.id, userId: 'admin', roles: [SUPER_ADMIN_ROLE] }, directory };
}
