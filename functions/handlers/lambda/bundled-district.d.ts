// The district config a Lambda bundle carries. It is no real package: each stack's esbuild step
// aliases this name to a file derived from that stack's own seeds/districts/<id>.json without the
// staff roster (infra/bundling.ts), so a bundle holds its own district's territory and no other,
// and no staff name, phone or e-mail at all.
declare module 'shudi-district-config' {
  const config: unknown;
  export default config;
}
