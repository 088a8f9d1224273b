// The district config a Lambda bundle carries. It is no real package: each stack's esbuild step
// aliases this name to that stack's own seeds/districts/<id>.json (infra/bundling.ts), so a
// bundle holds its own district's config and no other, and staff names and phones stay out of
// environment variables.
declare module 'shudi-district-config' {
  const config: unknown;
  export default config;
}
