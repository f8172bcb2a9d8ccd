/* registry.h - a registry (OCI distribution API v2) as a store. */
#ifndef SLIPWAY_REGISTRY_H
#define SLIPWAY_REGISTRY_H

#include "image/http.h"

struct registry_opts {
	const char *ca_file;	/* images.ca-file, or NULL: the system's CAs */
	int insecure;		/* plain HTTP (images.insecure lists the host) */
	const char *user, *pass;	/* credentials, or NULL: anonymous */
	long long chunk;	/* blobs larger than this go up in chunks of it; 0: 64 MiB */
};

/* Counts, for reports and the tests (promote sends no blob). */
struct registry_stats {
	long requests, blob_uploads, blob_mounts, blob_downloads;
	long long bytes_up;
};

/*
 * Opens host[:port] (e.g. "127.0.0.1:5000", "registry.example.net") as a
 * store; its repos are full repository names ("connext/indra_node"). No
 * request is made until one is needed. Authentication follows the
 * registry's challenge: Basic, or a Bearer token from its token endpoint
 * (with the credentials when there are some), kept per repository.
 */
int registry_store_open(struct store *s, const char *host, const struct registry_opts *o);

/* Whether s is a registry store. */
int registry_store_is(const struct store *s);

/* The store's counters (s must be a registry store). */
const struct registry_stats *registry_stats(const struct store *s);

/* A second store on the same registry with its own connection (for a
 * thread), sharing nothing mutable. */
int registry_store_clone(struct store *to, const struct store *from);

/* Adds clone's counters into s's. */
void registry_stats_add(struct store *s, const struct store *clone);

/* Credentials for host: DOCKER_USER/DOCKER_PASSWORD, else the auths entry
 * of ~/.docker/config.json ($DOCKER_CONFIG/config.json). *user and *pass
 * are NULL when there are none; -E_CONFIG for an unreadable config. */
int registry_credentials(const char *host, char **user, char **pass);

#endif
