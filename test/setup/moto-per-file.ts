import { beforeAll, inject } from 'vitest';
import { resetMoto } from '#infra/local/moto-server.ts';
import { isLoopbackUrl } from '#shared/adapters/aws-endpoint.ts';

const endpoint = inject('motoEndpoint');
if (!isLoopbackUrl(endpoint)) throw new Error(`refusing to test against non-loopback endpoint ${endpoint}`);

// Every SDK client built from here on talks to moto with dummy credentials, never to a real account.
Object.assign(process.env, {
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
});
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

// Files run one at a time, so wiping moto before each file gives every file a clean account.
beforeAll(() => resetMoto(endpoint));
