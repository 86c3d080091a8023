// Kubeconfig loading as kubectl users expect it: --kubeconfig wins, then KUBECONFIG (several paths;
// the first file to set a value wins, missing files are skipped), then ~/.kube/config; --context
// picks a context, else the current one. Relative file paths are relative to the file naming them.
//
// The entries are read with @kubernetes/client-node's own parsers (config_types), imported by
// path: the package's index loads every generated API class (about 0.6 s of CPU on a small
// machine) for the sake of two functions, and every diff or apply would pay for it.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newClusters, newContexts, newUsers, type Cluster, type Context, type User } from '@kubernetes/client-node/dist/config_types.js';
import { parse } from 'yaml';
import { ClusterError } from './errors.js';

export interface KubeConfigOptions {
  /** --kubeconfig: one file, which must exist. */
  kubeconfig?: string;
  /** --context: a context of the merged configuration. */
  context?: string;
  /** Where KUBECONFIG and HOME are read from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/** A resolved connection: the API server, and the cluster and user entries of the chosen context. */
export interface ClusterTarget {
  server: string;
  context: string;
  cluster: Cluster;
  user?: User;
  /** The files the configuration was read from, for messages. */
  files: string[];
}

interface ParsedFile {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

type RawEntries = { name?: string; cluster?: Record<string, unknown>; user?: Record<string, unknown> }[];

function absolutize(record: Record<string, unknown> | undefined, keys: readonly string[], directory: string): void {
  if (!record) return;
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) record[key] = path.join(directory, value);
  }
}

function readOne(file: string): ParsedFile {
  let raw: Record<string, unknown>;
  try {
    raw = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
    throw new ClusterError(`cannot read kubeconfig ${file}: ${reason}`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ClusterError(`kubeconfig ${file} is not a kubeconfig (expected a mapping)`);
  const directory = path.dirname(path.resolve(file));
  for (const entry of (raw.clusters ?? []) as RawEntries) absolutize(entry?.cluster, ['certificate-authority'], directory);
  for (const entry of (raw.users ?? []) as RawEntries) absolutize(entry?.user, ['client-certificate', 'client-key', 'token-file'], directory);
  try {
    return {
      clusters: newClusters(raw.clusters),
      users: newUsers(raw.users),
      contexts: newContexts(raw.contexts),
      currentContext: typeof raw['current-context'] === 'string' ? raw['current-context'] : undefined,
    };
  } catch (error) {
    throw new ClusterError(`kubeconfig ${file} is not valid: ${(error as Error).message.split('\n')[0]}`);
  }
}

function kubeconfigFiles(options: KubeConfigOptions): string[] {
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw new ClusterError(`kubeconfig ${options.kubeconfig} does not exist`);
    return [options.kubeconfig];
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(path.delimiter).filter((file) => file !== '');
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) throw new ClusterError(`none of the files in KUBECONFIG exists: ${listed.join(path.delimiter)}`);
    return present;
  }
  const home = env.HOME ?? os.homedir();
  const fallback = path.join(home, '.kube', 'config');
  if (!existsSync(fallback)) throw new ClusterError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
  return [fallback];
}

/** Merges as kubectl does: the first file that defines a name (or a current context) wins. */
function merge(files: readonly ParsedFile[]): ParsedFile {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    for (const cluster of file.clusters) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of file.users) if (!users.has(user.name)) users.set(user.name, user);
    for (const context of file.contexts) if (!contexts.has(context.name)) contexts.set(context.name, context);
    currentContext ??= file.currentContext || undefined;
  }
  return { clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext };
}

export function loadKubeConfig(options: KubeConfigOptions = {}): ClusterTarget {
  const files = kubeconfigFiles(options);
  const config = merge(files.map(readOne));
  const where = files.join(path.delimiter);
  const contextName = options.context ?? config.currentContext;
  if (!contextName) throw new ClusterError(`kubeconfig ${where} has no current context: pass --context`);
  const context = config.contexts.find((c) => c.name === contextName);
  if (!context) {
    const known = config.contexts.map((c) => c.name).sort();
    throw new ClusterError(`context "${contextName}" is not in kubeconfig ${where} (known: ${known.join(', ') || 'none'})`);
  }
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new ClusterError(`context "${contextName}" names cluster "${context.cluster}", which is not in kubeconfig ${where}`);
  const user = context.user ? config.users.find((u) => u.name === context.user) : undefined;
  if (context.user && !user) throw new ClusterError(`context "${contextName}" names user "${context.user}", which is not in kubeconfig ${where}`);
  return { server: cluster.server.replace(/\/+$/, ''), context: contextName, cluster, user, files };
}
