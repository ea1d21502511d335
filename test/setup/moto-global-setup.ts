import type { TestProject } from 'vitest/node';
import { startMotoServer } from '#infra/local/moto-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

/** Starts one moto server for the project's test files and stops it (by its pid) when they are done. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMotoServer();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
