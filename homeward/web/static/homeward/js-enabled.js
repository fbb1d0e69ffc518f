// What GOV.UK Frontend's page template does inline, as a file (no inline scripts: strict CSP).
// Loaded synchronously as the first thing in <body>, so styles for JavaScript apply at once.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
