/** Stylesheets are bundled by esbuild beside the script (console/build.ts). */
declare module '*.css';
