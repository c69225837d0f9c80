// A gateway's index of its clients: who is online, each client's uid, groups and session,
// and the reverse maps from uid and group to clients. No sockets here: the gateway owns the
// connections and keeps this index in step with them.

export interface IndexedClient {
  readonly id: string;
  uid: string | null;
  groups: Set<string> | null;
  /** JSON text of an object, as business workers and push clients set it; null = {}. */
  session: string | null;
}

export class ClientIndex<C extends IndexedClient> {
  private readonly clients = new Map<string, C>();
  private readonly uids = new Map<string, Set<C>>();
  private readonly groups = new Map<string, Set<C>>();

  get size(): number {
    return this.clients.size;
  }

  /** Groups with at least one member. */
  get groupCount(): number {
    return this.groups.size;
  }

  add(client: C): void {
    this.clients.set(client.id, client);
  }

  /** Takes a client out of every map; its uid and groups stay on the record (the close hook reads the uid). */
  remove(client: C): void {
    if (this.clients.get(client.id) !== client) return;
    this.clients.delete(client.id);
    if (client.uid !== null) removeFrom(this.uids, client.uid, client);
    if (client.groups) for (const group of client.groups) removeFrom(this.groups, group, client);
  }

  get(id: string): C | null {
    return this.clients.get(id) ?? null;
  }

  all(): IterableIterator<C> {
    return this.clients.values();
  }

  byUid(uid: string): ReadonlySet<C> {
    return this.uids.get(uid) ?? EMPTY;
  }

  byGroup(group: string): ReadonlySet<C> {
    return this.groups.get(group) ?? EMPTY;
  }

  /** A client has at most one uid: binding another replaces it. */
  bindUid(client: C, uid: string): void {
    if (client.uid !== null) removeFrom(this.uids, client.uid, client);
    client.uid = uid;
    addTo(this.uids, uid, client);
  }

  unbindUid(client: C, uid: string): boolean {
    if (client.uid !== uid) return false;
    removeFrom(this.uids, uid, client);
    client.uid = null;
    return true;
  }

  joinGroup(client: C, group: string): void {
    (client.groups ??= new Set()).add(group);
    addTo(this.groups, group, client);
  }

  leaveGroup(client: C, group: string): boolean {
    if (!client.groups?.delete(group)) return false;
    removeFrom(this.groups, group, client);
    return true;
  }

  /** Empties a group; returns how many clients were in it. */
  ungroup(group: string): number {
    const set = this.groups.get(group);
    if (!set) return 0;
    for (const client of set) client.groups?.delete(group);
    this.groups.delete(group);
    return set.size;
  }

  /** Replaces the session with `text`, which must be the JSON text of an object (throws otherwise). */
  setSession(client: C, text: string): void {
    objectOf(text);
    client.session = text;
  }

  /** Merges the JSON object `text` into the session (shallow). */
  updateSession(client: C, text: string): void {
    client.session = JSON.stringify({ ...objectOf(client.session ?? '{}'), ...objectOf(text) });
  }
}

const EMPTY: ReadonlySet<never> = new Set();

function addTo<C>(map: Map<string, Set<C>>, key: string, client: C): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(client);
}

function removeFrom<C>(map: Map<string, Set<C>>, key: string, client: C): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(client);
  if (set.size === 0) map.delete(key);
}

function objectOf(text: string): object {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('a session must be a JSON object');
  return parsed;
}
