import { createMoomooApp } from '#infra/moomoo-app.ts';

// The CDK CLI sets CDK_OUTDIR, so the app synthesizes itself when this process exits.
createMoomooApp();
