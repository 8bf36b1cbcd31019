/* main.c - fwpctl, the operator's tool for the IPsec SA engine.
 *
 *   fwpctl [-j|--json] [-p|--pretty] [-s|--socket PATH] [-t|--timeout SECONDS]
 *          OBJECT [COMMAND [ARGS]]
 *   fwpctl --version
 *
 * The command line is read against the tables below: an object, then one
 * of its commands (the first is the default), then the command's own
 * arguments, which its handler parses. usage() is generated from the same
 * tables, so a command added there is documented. Handlers return an exit
 * status (fwpctl.h); only main() exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwpctl.h"

struct command {
	const char *name;	/* NULL: the object takes no COMMAND word */
	ctl_handler handler;
	const char *args;	/* grammar of its ARGS, or NULL */
	const char *help;
};

struct object {
	const char *name;
	const struct command *commands;	/* the first is the default */
	size_t ncommands;
	const char *help;
};

#define COMMANDS(table) table, sizeof(table) / sizeof(table[0])

static const struct command sa_commands[] = {
	{ "list", sa_list, "[spi SPI] [peer ADDR] [-s] [--watch SECONDS [--count N]]",
	  "SA contexts, one line per direction; -s: state and counters" },
	{ "show", sa_show, "ID", "everything about one SA context (keys hidden)" },
	{ "delete", sa_delete, "ID", "delete an SA context, both directions" },
	{ "expire", sa_expire, "ID", "end it: outbound SA now, inbound after the drain" },
	{ "counters", sa_counters_show, "ID", "packets, bytes and drops of each SA" },
	{ "flush", sa_flush, NULL, "delete every SA context" },
};

static const struct command session_commands[] = {
	{ "list", session_list, NULL, "sessions open on the engine, one per client handle" },
};

static const struct command stats_commands[] = {
	{ NULL, stats_show, NULL, "the engine's IPsec statistics" },
};

static const struct command monitor_commands[] = {
	{ NULL, monitor_run, "[net|policy] [--count N]",
	  "SA-context events (net: drop events; policy: adds and deletes of policy objects) "
	  "as they happen (N of them)" },
};

static const struct command netevent_commands[] = {
	{ "list", netevent_list, NULL, "the net-event history, oldest first" },
	{ "collect", netevent_collect, "on|off", "keep net events in the history, or stop" },
};

/* Policy objects. */
static const struct command filter_commands[] = {
	{ "list", filter_list, NULL, "filters" },
	{ "show", filter_show, "ID", "one filter, with its conditions" },
	{ "delete", filter_delete, "ID", "delete a filter" },
};

static const struct command provider_commands[] = {
	{ "list", provider_list, NULL, "providers" },
	{ "delete", provider_delete, "KEY", "delete a provider" },
};

static const struct command datapath_commands[] = {
	{ "clear", datapath_clear, "[--tun NAME] [--lock-dir DIR]",
	  "remove a dead datapath's guard, steering and lock (root, in its namespace)" },
};

static const struct command sublayer_commands[] = {
	{ "list", sublayer_list, NULL, "sublayers" },
	{ "delete", sublayer_delete, "KEY", "delete a sublayer" },
};

static const struct command provider_context_commands[] = {
	{ "list", provider_context_list, NULL, "provider contexts" },
	{ "delete", provider_context_delete, "ID|KEY", "delete a provider context" },
};

/* The built-in layers and callouts (read-only). */
static const struct command layer_commands[] = {
	{ "list", layer_list, NULL, "the built-in layers" },
	{ "show", layer_show, "KEY|ID", "one layer, with its fields" },
};

static const struct command callout_commands[] = {
	{ "list", callout_list, NULL, "the built-in IPsec callouts" },
	{ "show", callout_show, "KEY|ID", "one callout" },
};

static const struct command sd_commands[] = {
	{ "show", sd_show, "TARGET", "a security descriptor in SDDL (TARGET: engine, sadb, "
	  "provider KEY, sublayer KEY, filter ID|KEY, provider-context ID|KEY)" },
	{ "set", sd_set, "TARGET SDDL", "replace the parts the SDDL names (O: G: D: S:)" },
};

static const struct object objects[] = {
	{ "sa", COMMANDS(sa_commands), "SA contexts" },
	{ "session", COMMANDS(session_commands), "engine sessions" },
	{ "stats", COMMANDS(stats_commands), "statistics" },
	{ "monitor", COMMANDS(monitor_commands), "SA-context, net and policy events" },
	{ "netevent", COMMANDS(netevent_commands), "the net-event history" },
	{ "filter", COMMANDS(filter_commands), "filters" },
	{ "provider", COMMANDS(provider_commands), "providers" },
	{ "sublayer", COMMANDS(sublayer_commands), "sublayers" },
	{ "provider-context", COMMANDS(provider_context_commands), "provider contexts" },
	{ "datapath", COMMANDS(datapath_commands), "a datapath's kernel state" },
	{ "layer", COMMANDS(layer_commands), "built-in layers" },
	{ "callout", COMMANDS(callout_commands), "built-in callouts" },
	{ "sd", COMMANDS(sd_commands), "security descriptors" },
};

#define NOBJECTS (sizeof(objects) / sizeof(objects[0]))

/* "sa { list | show ID | ... }", "monitor [--count N]" */
static void print_grammar(FILE *f, const struct object *o)
{
	const struct command *c = o->commands;

	fprintf(f, "fwpctl [OPTIONS] %s", o->name);
	if (!c[0].name) {
		fprintf(f, "%s%s\n", c[0].args ? " " : "", c[0].args ? c[0].args : "");
		return;
	}
	fputs(" {", f);
	for (size_t i = 0; i < o->ncommands; i++)
		fprintf(f, "%s %s%s%s", i ? " |" : "", c[i].name, c[i].args ? " " : "",
			c[i].args ? c[i].args : "");
	fputs(" }\n", f);
}

static void print_commands(FILE *f, const struct object *o)
{
	for (size_t i = 0; i < o->ncommands; i++) {
		const struct command *c = &o->commands[i];
		char words[128];

		snprintf(words, sizeof(words), "%s%s%s%s%s", o->name,
			 c->name ? " " : "", c->name ? c->name : "",
			 c->args ? " " : "", c->args ? c->args : "");
		if (strlen(words) > 22)
			fprintf(f, "  %s\n  %-22s %s\n", words, "", c->help);
		else
			fprintf(f, "  %-22s %s\n", words, c->help);
	}
}

static void usage(FILE *f)
{
	fputs("Usage: fwpctl [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
	      "       fwpctl help [OBJECT]\n"
	      "where\n", f);
	for (size_t i = 0; i < NOBJECTS; i++) {
		fputs("       ", f);
		print_grammar(f, &objects[i]);
	}
	fputs("       OPTIONS := { -j | --json } { -p | --pretty } { -s | --socket PATH }\n"
	      "                  { -t | --timeout SECONDS }\n"
	      "       ID := an SA context id, as \"fwpctl sa list\" prints it (filter:\n"
	      "             a filter id; provider-context: its id)\n"
	      "       KEY := a GUID, {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}\n"
	      "       Without COMMAND, an object runs its first one (\"fwpctl sa\" lists).\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < NOBJECTS; i++)
		print_commands(f, &objects[i]);
	fputs("\n"
	      "Options:\n"
	      "  -j, --json             JSON: one document per read command, one\n"
	      "                         object per line for monitor\n"
	      "  -p, --pretty           indent the JSON\n"
	      "  -s, --socket PATH      the fwpd socket (sets FWP_SOCKET, FWP_ENGINE=service)\n"
	      "  -t, --timeout SECONDS  wait at most this long for each answer of the\n"
	      "                         service (default 5, or FWP_TIMEOUT_MS)\n"
	      "  -V, --version          the version\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Environment: FWP_ENGINE (service unless set), FWP_SOCKET (default\n"
	      "/run/fwpd/fwpd.sock), FWP_TIMEOUT_MS.\n"
	      "Exit status: 0 done, 1 the operation failed, 2 usage error, 3 no engine\n"
	      "(none listening, or no answer within the timeout).\n", f);
}

static void object_usage(FILE *f, const struct object *o)
{
	fputs("Usage: ", f);
	print_grammar(f, o);
	print_commands(f, o);
}

static const struct object *find_object(const char *name)
{
	for (size_t i = 0; i < NOBJECTS; i++)
		if (!strcmp(objects[i].name, name))
			return &objects[i];
	return NULL;
}

static int help(int argc, char **argv)
{
	const struct object *o;

	if (argc == 0) {
		usage(stdout);
		return FWPCTL_OK;
	}
	if (argc > 1)
		return ctl_usage("help: unexpected argument '%s'", argv[1]);
	o = find_object(argv[0]);
	if (!o)
		return ctl_usage("help: unknown object '%s'", argv[0]);
	object_usage(stdout, o);
	return FWPCTL_OK;
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
	const struct object *o;
	const struct command *c;

	if (argc == 0) {
		usage(stderr);
		return FWPCTL_USAGE;
	}
	if (!strcmp(argv[0], "help"))
		return help(argc - 1, argv + 1);
	o = find_object(argv[0]);
	if (!o)
		return ctl_usage("unknown object '%s'", argv[0]);
	argc--;
	argv++;
	if (argc && !strcmp(argv[0], "help")) {
		object_usage(stdout, o);
		return FWPCTL_OK;
	}
	c = &o->commands[0];
	if (!c->name || argc == 0)
		return c->handler(ctl, argc, argv);
	for (size_t i = 0; i < o->ncommands; i++) {
		c = &o->commands[i];
		if (!strcmp(c->name, argv[0]))
			return c->handler(ctl, argc - 1, argv + 1);
	}
	return ctl_usage("%s: unknown command '%s'", o->name, argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { 0 };
	const char *engine, *timeout = NULL;
	char ms[16];
	unsigned long t;
	int c, status;

	opterr = 0;
	/* '+': options come before OBJECT; what follows is the command's. */
	while ((c = getopt_long(argc, argv, "+:jps:t:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl.json = true;
			break;
		case 'p':
			ctl.pretty = true;
			break;
		case 's':
			if (setenv("FWP_SOCKET", optarg, 1) ||
			    setenv("FWP_ENGINE", "service", 1))
				return ctl_error("out of memory");
			break;
		case 't':
			if (ctl_parse_timeout(optarg, &t))
				return ctl_usage("--timeout: '%s' is not a number of seconds "
						 "(0.001 to 3600)", optarg);
			snprintf(ms, sizeof(ms), "%lu", t);
			timeout = ms;
			break;
		case 'V':
			printf("fwpctl %s\n", FWP_VERSION);
			return FWPCTL_OK;
		case 'h':
			usage(stdout);
			return FWPCTL_OK;
		case ':':
			return ctl_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			/* "--json=1": a long option given a value it does not take
			 * (getopt reports the short letter). */
			if (optopt && !strncmp(argv[optind - 1], "--", 2))
				return ctl_usage("option '%.*s' takes no value",
						 (int)strcspn(argv[optind - 1], "="),
						 argv[optind - 1]);
			if (optopt)
				return ctl_usage("unknown option '-%c'", optopt);
			return ctl_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	/* An operator's tool inspects the system's engine: an in-process one
	 * would be private and empty. FWP_ENGINE, when set, still decides. */
	engine = getenv("FWP_ENGINE");
	if ((!engine || !*engine) && setenv("FWP_ENGINE", "service", 1))
		return ctl_error("out of memory");

	/* An operator waits seconds, not the library's 30 s, for a service
	 * that does not answer. */
	if (!timeout && !getenv("FWP_TIMEOUT_MS")) {
		snprintf(ms, sizeof(ms), "%u", FWPCTL_TIMEOUT_MS);
		timeout = ms;
	}
	if (timeout && setenv("FWP_TIMEOUT_MS", timeout, 1))
		return ctl_error("out of memory");

	status = dispatch(&ctl, argc - optind, argv + optind);
	ctl_close(&ctl);
	if (fflush(stdout) || ferror(stdout)) {
		if (!status)
			status = ctl_error("write error on standard output");
	}
	return status;
}
