#!/usr/bin/env node
// Posts the review as one merge-request note and updates that note on later pushes, through the
// GitLab REST API (notes API). Needs MESHCTL_NOTE_TOKEN; reads CI_API_V4_URL, CI_PROJECT_ID and
// CI_MERGE_REQUEST_IID, which GitLab sets in merge-request pipelines.
// Usage: node post-note.mjs review.md
import { readFileSync } from 'node:fs';

const MARKER = '<!-- meshctl-review -->';
const [file] = process.argv.slice(2);
const { MESHCTL_NOTE_TOKEN: token, CI_API_V4_URL: api, CI_PROJECT_ID: project, CI_MERGE_REQUEST_IID: mergeRequest } = process.env;
for (const [name, value] of Object.entries({ file, MESHCTL_NOTE_TOKEN: token, CI_API_V4_URL: api, CI_PROJECT_ID: project, CI_MERGE_REQUEST_IID: mergeRequest })) {
  if (!value) {
    process.stderr.write(`post-note: ${name} is not set\n`);
    process.exit(2);
  }
}
const body = `${MARKER}\n${readFileSync(file, 'utf8')}`;
const notes = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${mergeRequest}/notes`;

async function call(method, url, payload) {
  const response = await fetch(url, {
    method,
    headers: { 'PRIVATE-TOKEN': token, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { body: JSON.stringify(payload) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${response.statusText}`);
  return response.json();
}

try {
  let existing;
  for (let page = 1; !existing; page++) {
    const batch = await call('GET', `${notes}?per_page=100&page=${page}&sort=asc&order_by=created_at`);
    existing = batch.find((note) => typeof note.body === 'string' && note.body.startsWith(MARKER));
    if (batch.length < 100) break;
  }
  if (existing) await call('PUT', `${notes}/${existing.id}`, { body });
  else await call('POST', notes, { body });
  process.stderr.write(`post-note: ${existing ? 'updated' : 'posted'} the review note\n`);
} catch (error) {
  process.stderr.write(`post-note: ${error.message}\n`);
  process.exit(1);
}
