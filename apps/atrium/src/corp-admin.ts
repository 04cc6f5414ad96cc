import { directoryV1, protoPathFor } from '@atrium/contracts';
import { GrpcServiceClient, PLATFORM_ADMIN_ROLE } from '@atrium/platform';

export interface NewCorp {
  code: string;
  name: string;
  adminUserid: string;
  adminName?: string;
  adminPassword: string;
}

/** Operator actions go straight to the directory as a platform admin (the CLI, embedded seeding). */
export async function createCorp(directoryUrl: string, identityKey: string, corp: NewCorp): Promise<directoryV1.CreateCorpResponse> {
  const client = new GrpcServiceClient<directoryV1.DirectoryServiceClient>(
    { caller: 'cli', url: directoryUrl, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory'), identityKey },
    directoryV1.DIRECTORY_SERVICE_NAME,
  );
  try {
    return await client.call(
      'CreateCorp',
      (directory, metadata) =>
        directory.createCorp(
          {
            code: corp.code,
            name: corp.name,
            adminUserid: corp.adminUserid,
            adminName: corp.adminName ?? corp.adminUserid,
            adminPassword: corp.adminPassword,
          },
          metadata,
        ),
      { corpId: '', userId: 'operator:cli', roles: [PLATFORM_ADMIN_ROLE] },
    );
  } finally {
    await client.close();
  }
}
