/* user_agent.c - the phone's User-Agent (see user_agent.h). */
#include <config.h>

#include "service/user_agent.h"

#include <stdio.h>
#include <string.h>

#define UA_MAX	512

json_object *
user_agent_device(const char *ua)
{
	char net[32], lang[16], conn[32], product[128], version[32],
	    platform[64], os[32], osver[32], model[64];
	static const char *const keys[] = { "networkVersion", "language",
	    "connection", "product", "version", "platform", "os", "osVersion",
	    "model" };
	const char *vals[9];
	json_object *o;
	int n;
	size_t i;

	if (ua == NULL || strlen(ua) > UA_MAX)
		return NULL;
	osver[0] = '\0';
	n = sscanf(ua, "PowerAuthNetworking/%31[^ ] (%15[^;]; %31[^)]) "
	    "%127[^/]/%31[^ ] (%63[^;]; %31[^/;]/%31[^;]; %63[^)])", net, lang,
	    conn, product, version, platform, os, osver, model);
	if (n != 9) {
		osver[0] = '\0';
		n = sscanf(ua, "PowerAuthNetworking/%31[^ ] (%15[^;]; "
		    "%31[^)]) %127[^/]/%31[^ ] (%63[^;]; %31[^;]; %63[^)])",
		    net, lang, conn, product, version, platform, os, model);
		if (n != 8)
			return NULL;
	}
	vals[0] = net;
	vals[1] = lang;
	vals[2] = conn;
	vals[3] = product;
	vals[4] = version;
	vals[5] = platform;
	vals[6] = os;
	vals[7] = osver;
	vals[8] = model;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < 9; i++)
		if (vals[i][0] != '\0')
			json_object_object_add(o, keys[i],
			    json_object_new_string(vals[i]));
	return o;
}
