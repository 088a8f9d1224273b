// The dashboard's runtime configuration (src/config.ts reads window.SHUDI_CONFIG). This default is
// for the local server: dev sign-in, API on the same origin. A deployment replaces this file with
// its own (infra/dashboard-site.ts writes authMode 'cognito', apiBase and the Cognito hosted UI).
window.SHUDI_CONFIG = window.SHUDI_CONFIG || {};
