#!/usr/bin/env node
// The OpenAPI description of chorus-apid against a real validator, and the API's
// real answers against its schemas (tests/integration/test_apid.sh).
//   openapi_check.js validate api/openapi.yaml
//   openapi_check.js answers api/openapi.yaml ANSWERS.jsonl
// ANSWERS.jsonl: one {"method", "path", "status", "body"} per line (body: the raw text).
// An answer is checked against the response schema of its operation and status
// (or default); an answer to no operation (404 of an unknown path, 405) against
// Error. Prints TAP lines; exits 1 on any failure.
'use strict';
const fs = require('fs');
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

async function validate(file) {
	const api = await SwaggerParser.validate(file);
	console.log(`ok - ${file} is a valid OpenAPI ${api.openapi} document (${Object.keys(api.paths).length} paths)`);
}

function templates(api) {
	return Object.keys(api.paths).map((t) => ({
		t,
		re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '(.+)') + '$'),
	}));
}

async function answers(file, jsonl) {
	const api = await SwaggerParser.dereference(file);
	const ajv = new Ajv2020({ strict: false, allErrors: true });
	addFormats(ajv);
	const error = ajv.compile(api.components.schemas.Error);
	const tpl = templates(api);
	const cache = new Map();
	let n = 0, bad = 0;
	const seen = new Set();
	for (const line of fs.readFileSync(jsonl, 'utf8').split('\n')) {
		if (!line.trim()) continue;
		const a = JSON.parse(line);
		let body;
		try {
			body = JSON.parse(a.body);
		} catch (e) {
			continue; /* not JSON: metrics, events */
		}
		n++;
		const path = a.path.split('?')[0];
		const m = tpl.find((x) => x.re.test(decodeURIComponent(path)));
		const op = m && api.paths[m.t][a.method.toLowerCase()];
		let check, where;
		if (!op) {
			check = error;
			where = `${a.method} ${path} (no operation): Error`;
		} else {
			const resp = op.responses[String(a.status)] || op.responses.default;
			where = `${a.method} ${m.t} ${a.status}`;
			const schema = resp && resp.content && resp.content['application/json'] &&
				resp.content['application/json'].schema;
			if (!schema) {
				bad++;
				console.log(`not ok - ${where}: status not described`);
				continue;
			}
			if (!cache.has(schema)) cache.set(schema, ajv.compile(schema));
			check = cache.get(schema);
			seen.add(`${a.method} ${m.t} ${a.status}`);
		}
		if (!check(body)) {
			bad++;
			console.log(`not ok - ${where}: ${ajv.errorsText(check.errors)}`);
			console.log(`#   ${a.body.slice(0, 300)}`);
		}
	}
	console.log(`${bad ? 'not ok' : 'ok'} - ${n - bad} of ${n} JSON answers conform to api/openapi.yaml (${seen.size} operation/status pairs)`);
	return bad ? 1 : 0;
}

(async () => {
	const [cmd, file, extra] = process.argv.slice(2);
	try {
		if (cmd === 'validate') await validate(file);
		else process.exitCode = await answers(file, extra);
	} catch (e) {
		console.log(`not ok - ${cmd} ${file}: ${e.message}`);
		process.exitCode = 1;
	}
})();
