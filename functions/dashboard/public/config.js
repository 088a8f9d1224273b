// The dashboard's runtime configuration (src/config.ts reads window.SHUDI_CONFIG): the API's base and
// the OpenID Connect issuer and client id staff sign in with. This built-in default names none; a
// deployment serves its own config.js (the CDK stack writes one), and the local server of
// `npm start` answers /config.js itself with its local provider.
window.SHUDI_CONFIG = window.SHUDI_CONFIG || {};
