/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host names in egress rules, resolved by the supervisor with getaddrinfo(3)
 * in its own (the host's) network namespace and resolver configuration.
 * getaddrinfo does not expose DNS TTLs, so names are re-resolved every
 * network.hostRefreshSeconds (default 300) instead; a refresh that fails
 * keeps the previous addresses. Until the first resolution of a name
 * completes, its rules match nothing (fail closed). Resolution runs in a
 * short-lived thread, never on the event loop.
 */
#include "sup.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"

#define HOST_MAX_ADDRS 32

struct host_entry {
	char *name;
	struct in6_addr addrs[HOST_MAX_ADDRS];
	size_t n;
};

struct sup_hosts {
	pthread_mutex_t lock;
	struct host_entry *e;
	size_t n;
	bool resolving;
};

static void add_name(struct sup_hosts *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->e[i].name, name) == 0)
			return;
	h->e = xrealloc(h->e, (h->n + 1) * sizeof(*h->e));
	memset(&h->e[h->n], 0, sizeof(h->e[h->n]));
	h->e[h->n++].name = xstrdup(name);
}

struct sup_hosts *sup_hosts_new(const struct ward_policy *p)
{
	struct sup_hosts *h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	for (size_t i = 0; i < p->net.egress.n; i++)
		if (p->net.egress.rules[i].host)
			add_name(h, p->net.egress.rules[i].host);
	return h;
}

void sup_hosts_free(struct sup_hosts *h)
{
	if (!h)
		return;
	/* a resolver thread may still run: it owns nothing, but it uses h */
	pthread_mutex_lock(&h->lock);
	bool busy = h->resolving;
	pthread_mutex_unlock(&h->lock);
	if (busy)
		return; /* the process is exiting; leave it to the kernel */
	for (size_t i = 0; i < h->n; i++)
		free(h->e[i].name);
	free(h->e);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

bool sup_hosts_any(const struct sup_hosts *h)
{
	return h && h->n > 0;
}

static size_t resolve(const char *name, struct in6_addr *out)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	size_t n = 0;
	for (struct addrinfo *ai = res; ai && n < HOST_MAX_ADDRS; ai = ai->ai_next) {
		struct in6_addr a;
		memset(&a, 0, sizeof(a));
		if (ai->ai_family == AF_INET) {
			a.s6_addr[10] = a.s6_addr[11] = 0xff;
			memcpy(&a.s6_addr[12], &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6) {
			a = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		} else {
			continue;
		}
		out[n++] = a;
	}
	freeaddrinfo(res);
	return n;
}

static void *resolver_main(void *arg)
{
	struct sup_hosts *h = arg;
	pthread_mutex_lock(&h->lock);
	size_t count = h->n;
	pthread_mutex_unlock(&h->lock);
	for (size_t i = 0; i < count; i++) {
		struct in6_addr addrs[HOST_MAX_ADDRS];
		size_t n = resolve(h->e[i].name, addrs);
		if (n == 0)
			continue; /* keep what we had */
		pthread_mutex_lock(&h->lock);
		memcpy(h->e[i].addrs, addrs, n * sizeof(addrs[0]));
		h->e[i].n = n;
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_lock(&h->lock);
	h->resolving = false;
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

void sup_hosts_refresh(struct sup_hosts *h)
{
	if (!sup_hosts_any(h))
		return;
	pthread_mutex_lock(&h->lock);
	if (!h->resolving) {
		pthread_t th;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 512 * 1024); /* NSS modules want room */
		if (pthread_create(&th, &attr, resolver_main, h) == 0)
			h->resolving = true;
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&h->lock);
}

bool sup_hosts_match(void *ctx, const char *host, const struct in6_addr *addr)
{
	struct sup_hosts *h = ctx;
	bool hit = false;
	if (!h)
		return false;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->n && !hit; i++) {
		if (strcmp(h->e[i].name, host) != 0)
			continue;
		for (size_t k = 0; k < h->e[i].n && !hit; k++)
			hit = memcmp(&h->e[i].addrs[k], addr, sizeof(*addr)) == 0;
	}
	pthread_mutex_unlock(&h->lock);
	return hit;
}
