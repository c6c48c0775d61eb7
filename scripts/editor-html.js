// The editor files (nodes/<type>/<type>.html) are written once per concept: a dialog row is one
// <row> element, the rows and help every server dialog shares are one element each, and the label
// functions every flow node shares are one marker. The build expands them into the HTML Node-RED
// loads (dist/nodes), so the editor never sees these elements.
//
// A property's dialog row is declared on the property's own line, by a comment after it:
//   interval: { value: '5' }, // row clock-o placeholder
//   apiKey: { type: 'password' } // row key env
// icon first (none for a checkbox: a boolean value); then any of placeholder (<type>.placeholder.<field>),
// env (a second row for <field>Env, an environment variable's name), short (a narrow input), indent
// (an indented checkbox), textarea, mono (monospace), rows=3 (a textarea's height). The label is
// <type>.label.<field>; a credential of type password gets a password input.
// In a dialog (script type="text/html" data-template-name):
//   <rows></rows>                  the rows of the declared properties, in the order declared;
//     from="field" / to="field"    only those from / up to that property (custom rows in between)
//   <row field="kind" icon="film" type="select">options</row>   one row, written out (same attributes)
//   <tls-rows></tls-rows>      the self-signed certificate rows (tlsFingerprint, tlsCa)
//   <health-row></health-row>  the line that shows a server's last call (see @health-prepare)
// In help (data-help-name): <tls-help></tls-help>, <health-help></health-help>.
// In the registerType script: /* @server-address */ (url, tlsCa, tlsFingerprint), /* @service-slots */ (the Jellyseerr and arr config
// nodes media-sync and media-action use), /* @env-name */ (the validator of an environment
// variable's name), /* @health-prepare */ (oneditprepare of a server that reports its health) and
// /* @flow-node 'palette label' */ (the package's palette category and colour; with a label, also the
// palette label, and the node's label: its name in italics, else the palette label).
'use strict';

const ENV_NAME = 'RED.validators.regex(/^([A-Za-z_][A-Za-z0-9_]*)?$/)';
const FINGERPRINT = 'RED.validators.regex(/^(|([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2})$/)';

function attributesOf(text) {
  const attributes = {};
  for (const [, name, value] of text.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attributes[name] = value ?? true;
  return attributes;
}

function row(type, prefix, a, inner, pad) {
  const id = `${prefix}-${a.field}`;
  const label = `<span data-i18n="${type}.label.${a.field}"></span>`;
  const placeholder = a.placeholder ? ` data-i18n="[placeholder]${type}.placeholder.${a.field}"` : '';
  const lines = (...body) => [`<div class="form-row">`, ...body.map((line) => `  ${line}`), `</div>`].map((line) => pad + line).join('\n');
  if (a.type === 'checkbox') {
    const style = a.indent ? 'width:auto; margin-left:20px' : 'width:auto';
    return lines(
      '<label>&nbsp;</label>',
      `<label for="${id}" style="${style}"><input type="checkbox" id="${id}" style="width:auto; margin:0 6px 0 0"> ${label}</label>`,
    );
  }
  const head = `<label for="${id}"${a.short ? ' style="width:50%"' : ''}><i class="fa fa-${a.icon}"></i> ${label}</label>`;
  let input;
  if (a.type === 'textarea') {
    input = `<textarea id="${id}" rows="${a.rows ?? 4}" style="width:70%${a.mono ? '; font-family:monospace' : ''}"${placeholder}></textarea>`;
  } else if (a.type === 'select') {
    const options = inner
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => `  ${line}`);
    input = [`<select id="${id}">`, ...options, '</select>'].join(`\n${pad}  `);
  } else {
    input = `<input type="${a.type ?? 'text'}" id="${id}"${a.short ? ' style="width:20%"' : ''}${placeholder}>`;
  }
  const rows = [lines(head, input)];
  if (a.env) rows.push(row(type, prefix, { field: `${a.field}Env`, icon: 'cog', placeholder: true }, '', pad));
  return rows.join('\n');
}

const TLS_HELP = `<p><b>Self-signed certificate</b> (https): paste the certificate (or its CA) in PEM, or give its SHA-256
  fingerprint (<code>openssl x509 -noout -fingerprint -sha256 -in cert.pem</code>), and only that
  certificate is accepted, whatever name it carries. Certificate checks are never turned off; a CA for
  every service can also come from <code>NODE_EXTRA_CA_CERTS</code> when Node-RED starts. The URL may
  not carry a user name or password, and a redirect is never followed (the credentials would go with it).</p>`;

const HEALTH_HELP = `<p>Each call says what it found, and media-sync and this dialog show it: unauthorised (401/403: the key),
  unreachable (down, timed out, certificate), or not this service's answer (another service at that URL).</p>`;

const HEALTH_PREPARE = `oneditprepare: function () {
  // What the deployed node's last call found: ok, unauthorised, unreachable, or another service at that URL.
  var line = $('#node-config-health');
  $.getJSON('media-status/servers/' + encodeURIComponent(this.id))
    .done(function (h) {
      var text = h.state === 'off' ? 'no URL: not used' : h.at ? h.state + (h.message ? ': ' + h.message : '') + ' (' + new Date(h.at).toLocaleTimeString() + ')' : 'no call yet';
      line.text('Last call: ' + text);
    })
    .fail(function () { line.text('Last call: not deployed yet'); });
},`;

function indent(block, pad) {
  return block
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

function flowNode(label) {
  const palette = `category: 'media status',
color: '#C7E9C0',`;
  if (!label) return palette;
  return `${palette}
paletteLabel: ${label},
label: function () {
  return this.name || ${label};
},
labelStyle: function () {
  return this.name ? 'node_label_italic' : '';
},`;
}

/** The `// row` declarations of a registerType script: [{ field, icon, flags }] in the order written. */
function declaredRows(html) {
  const rows = [];
  for (const [, field, declaration, annotation] of html.matchAll(/^[ \t]*(\w+): (\{.*\}),?[ \t]*\/\/ row\b(.*)$/gm)) {
    const words = annotation.trim().split(/\s+/).filter(Boolean);
    const a = { field };
    if (/value: (true|false)\b/.test(declaration)) a.type = 'checkbox';
    else a.icon = words.shift();
    if (/type: 'password'/.test(declaration)) a.type = 'password';
    for (const word of words) {
      const [name, value] = word.split('=');
      if (name === 'textarea') a.type = 'textarea';
      else a[name] = value ?? true;
    }
    rows.push(a);
  }
  return rows;
}

function expandDialog(type, prefix, body, declared) {
  return body
    .replace(/^([ \t]*)<rows([^>]*)><\/rows>/gm, (_all, pad, attributes) => {
      const { from, to } = attributesOf(attributes);
      const first = from ? declared.findIndex((a) => a.field === from) : 0;
      const last = to ? declared.findIndex((a) => a.field === to) : declared.length - 1;
      if (first < 0 || last < 0) throw new Error(`${type}: <rows${attributes}>: no such declared row`);
      return declared
        .slice(first, last + 1)
        .map((a) => row(type, prefix, a, '', pad))
        .join('\n');
    })
    .replace(/^([ \t]*)<row ([^>]*)>([\s\S]*?)<\/row>/gm, (_all, pad, attributes, inner) => row(type, prefix, attributesOf(attributes), inner, pad))
    .replace(/^([ \t]*)<tls-rows><\/tls-rows>/gm, (_all, pad) =>
      [
        row(type, prefix, { field: 'tlsFingerprint', icon: 'lock', placeholder: true }, '', pad),
        row(type, prefix, { field: 'tlsCa', icon: 'certificate', type: 'textarea', mono: true, placeholder: true }, '', pad),
      ].join('\n'),
    )
    .replace(
      /^([ \t]*)<health-row><\/health-row>/gm,
      (_all, pad) => `${pad}<div class="form-row"><span id="node-config-health" style="color: var(--red-ui-secondary-text-color)"></span></div>`,
    );
}

// Where a server is: its URL (a dialog row) and the self-signed certificate it may present (<tls-rows>).
const SERVER_ADDRESS = `url: { value: '' }, // row globe placeholder
tlsCa: { value: '' },
tlsFingerprint: { value: '', validate: ${FINGERPRINT} },`;

// The services media-sync reads and media-action acts on: a Jellyseerr and up to four arrs.
const SERVICE_SLOTS = `jellyseerr: { value: '', type: 'jellyseerr-server', required: false }, // row server
radarr: { value: '', type: 'arr-server', required: false }, // row server
radarr4k: { value: '', type: 'arr-server', required: false }, // row server
sonarr: { value: '', type: 'arr-server', required: false }, // row server
sonarr4k: { value: '', type: 'arr-server', required: false }, // row server`;

/** The registerType script's markers and the help's elements, expanded. */
function expandScript(html) {
  return html
    .replace(/^([ \t]*)<tls-help><\/tls-help>/gm, (_all, pad) => indent(TLS_HELP, pad))
    .replace(/^([ \t]*)<health-help><\/health-help>/gm, (_all, pad) => indent(HEALTH_HELP, pad))
    .replace(/^([ \t]*)\/\* @server-address \*\//gm, (_all, pad) => indent(SERVER_ADDRESS, pad))
    .replace(/^([ \t]*)\/\* @service-slots \*\//gm, (_all, pad) => indent(SERVICE_SLOTS, pad))
    .replace(/\/\* @env-name \*\//g, ENV_NAME)
    .replace(/^([ \t]*)\/\* @health-prepare \*\//gm, (_all, pad) => indent(HEALTH_PREPARE, pad))
    .replace(/^([ \t]*)\/\* @flow-node(?: ('[^']*'))? \*\//gm, (_all, pad, label) => indent(flowNode(label), pad));
}

/** The editor HTML Node-RED loads, from a node type's source file. */
function expand(source) {
  const html = expandScript(source);
  const prefix = /category:\s*'config'/.test(html) ? 'node-config-input' : 'node-input';
  const declared = declaredRows(html);
  return html
    .replace(
      /(<script type="text\/html" data-template-name="([\w-]+)">)([\s\S]*?)(<\/script>)/g,
      (_all, open, type, body, close) => open + expandDialog(type, prefix, body, declared) + close,
    )
    .replace(/[ \t]*\/\/ row\b.*$/gm, '');
}

module.exports = { expand };
