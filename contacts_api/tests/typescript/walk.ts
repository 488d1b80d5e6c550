// The generated-client test's TypeScript walk (contacts_api/tests/test_generated_clients.py):
// types from openapi-typescript, calls through openapi-fetch; `tsc` must accept it as is.
// Usage: node build/walk.js BASE_URL API_KEY STAFF_USER_ID
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type ErrorBody = components["schemas"]["Error"];
const [baseUrl, key, staffId] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });
const anonymous = createClient<paths>({ baseUrl });

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`failed: ${what}`);
}

function errorCode(error: unknown): string {
  return (error as ErrorBody).code;
}

// Lists with every filter, a page, and a keyset walk.
const listed = await api.GET("/api/v1/contacts", {
  params: { query: { status: "active", account_owner: "no", search: "a", sort: "last_name", order: "desc", page: 1, limit: 5 } },
});
check(listed.response.status === 200 && listed.data!.data.length <= 5, "list with every filter");
const byClient = await api.GET("/api/v1/contacts", { params: { query: { client_id: 1, limit: 100 } } });
check(byClient.data!.data.every((row) => row.client?.id === 1), "client_id filter");
const seen: number[] = [];
for (let after = 0; ; ) {
  const page = (await api.GET("/api/v1/contacts", { params: { query: { after, limit: 7 } } })).data!;
  seen.push(...page.data.map((row) => row.id));
  if (page.meta.pagination.links.next === null) {
    check(seen.length === page.meta.pagination.total, "keyset walk sees every contact");
    break;
  }
  after = seen[seen.length - 1];
}

// Create, get with its ETag, PUT, PATCH with social and with a clear, a stale If-Match.
const created = await api.POST("/api/v1/contacts", {
  body: { first_name: "Grace", last_name: "Hopper", email: "grace.ts@example.com", clientid: 1, phone: "+1 555 0100", social: { twitter: "grace" } },
});
check(created.response.status === 201 && created.response.headers.get("Location") !== null, "create");
const id = created.data!.data.id;
const got = await api.GET("/api/v1/contacts/{id}", { params: { path: { id } } });
check(got.response.headers.get("ETag") === '"1"' && got.data!.data.email === "grace.ts@example.com", "get");
const replaced = await api.PUT("/api/v1/contacts/{id}", {
  params: { path: { id } }, body: { first_name: "Grace", last_name: "Murray Hopper", email: "grace.ts@example.com" },
});
check(replaced.data!.data.last_name === "Murray Hopper", "put");
const patched = await api.PATCH("/api/v1/contacts/{id}", { params: { path: { id } }, body: { social: { linkedin: "gracehopper" } } });
check(patched.data!.data.social.linkedin === "gracehopper" && patched.data!.data.social.twitter === "grace", "patch social");
const cleared = await api.PATCH("/api/v1/contacts/{id}", { params: { path: { id } }, body: { phone: "" } });
check(cleared.data!.data.phone === null, "patch clears the phone");
const stale = await api.PATCH("/api/v1/contacts/{id}", { params: { path: { id }, header: { "If-Match": '"1"' } }, body: { position: "Admiral" } });
check(stale.response.status === 412 && errorCode(stale.error) === "precondition_failed", "412");

// Account owner, history, delete, restore, batch, erase.
const owner = await api.POST("/api/v1/contacts/{id}/set-account-owner", { params: { path: { id } } });
check(owner.data!.data.account_owner === "yes", "set-account-owner");
const history = await api.GET("/api/v1/contacts/{id}/history", { params: { path: { id } } });
check(history.data!.data[0].type === "contact.created", "history");
check((await api.DELETE("/api/v1/contacts/{id}", { params: { path: { id } } })).response.status === 200, "delete");
check((await api.POST("/api/v1/contacts/{id}/restore", { params: { path: { id } } })).data!.data.status === "active", "restore");
const batch = await api.POST("/api/v1/contacts/batch", {
  body: {
    contacts: [
      { email: "grace.ts@example.com", clientid: 1, position: "Rear Admiral" },
      { email: "ada.ts@example.com", clientid: 1, first_name: "Ada", last_name: "New" },
      { email: "not an email", clientid: 1 },
    ],
  },
});
check(batch.data!.data.map((item) => item.result).join() === "updated,created,error", "batch results");
check(batch.data!.meta.summary.failed === 1, "batch summary");
const newId = batch.data!.data[1].id!;
check((await api.POST("/api/v1/contacts/{id}/erase", { params: { path: { id: newId } } })).response.status === 200, "erase");

// Clients, roles, the feed and one event.
check((await api.GET("/api/v1/clients", { params: { query: { search: "Ltd" } } })).data!.meta.pagination.total >= 1, "clients");
check((await api.GET("/api/v1/clients/{id}", { params: { path: { id: 1 } } })).data!.data.id === 1, "client");
check((await api.GET("/api/v1/roles")).data!.data.length > 0, "roles");
const feed = (await api.GET("/api/v1/events", { params: { query: { limit: 1000 } } })).data!;
check(feed.data.length > 0 && typeof feed.meta.cursor === "string", "feed");
const eventId = feed.data[0].id;
check((await api.GET("/api/v1/events/{id}", { params: { path: { id: eventId } } })).data!.data.id === eventId, "event");

// Webhooks.
const endpoint = await api.POST("/api/v1/webhooks", { body: { url: "http://127.0.0.1:9/hook", event_types: ["contact.updated"] } });
check(endpoint.response.status === 201 && endpoint.data!.data.secret.startsWith("whsec_"), "webhook create");
const hook = endpoint.data!.data.id;
check((await api.GET("/api/v1/webhooks")).data!.data.some((row) => row.id === hook), "webhooks list");
check((await api.GET("/api/v1/webhooks/{id}", { params: { path: { id: hook } } })).data!.data.id === hook, "webhook get");
const described = await api.PATCH("/api/v1/webhooks/{id}", { params: { path: { id: hook } }, body: { description: "generated" } });
check(described.data!.data.description === "generated", "webhook patch");
check((await api.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: hook } } })).data!.data.length === 0, "deliveries");
check((await api.POST("/api/v1/webhooks/{id}/test", { params: { path: { id: hook } } })).response.status === 202, "webhook test");
check((await api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: hook } } })).response.status === 200, "webhook delete");

// The error types.
const missing = await api.GET("/api/v1/contacts/{id}", { params: { path: { id: 999999 } } });
check(missing.response.status === 404 && errorCode(missing.error) === "not_found", "404");
const conflict = await api.POST("/api/v1/contacts/{id}/set-account-owner", { params: { path: { id: Number(staffId) } } });
check(conflict.response.status === 409 && errorCode(conflict.error) === "conflict", "409");
const invalid = await api.POST("/api/v1/contacts", { body: { first_name: "X", last_name: "Y", email: "nope", clientid: 1 } });
check(invalid.response.status === 422 && "email" in ((invalid.error as ErrorBody).errors ?? {}), "422");
const unauthenticated = await anonymous.GET("/api/v1/contacts");
check(unauthenticated.response.status === 401 && errorCode(unauthenticated.error) === "not_authenticated", "401");
const wrong = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ck_AAAAAAAA_${"x".repeat(38)}` } });
let last = await wrong.GET("/api/v1/contacts");
for (let attempt = 0; attempt < 6 && last.response.status !== 429; attempt++) last = await wrong.GET("/api/v1/contacts");
check(last.response.status === 429 && errorCode(last.error) === "throttled" && last.response.headers.get("Retry-After") !== null, "429");
console.log("typescript walk: every operation answered as typed");
