# nginx: the local stack's template (used by scripts/run) and the snippets
# and example site for a real fleet, installed to $(pkgdatadir)/nginx.
nginxdir = $(pkgdatadir)/nginx
nginx_DATA = nginx/example-site.conf \
	nginx/snippets/paserv-upstreams.conf \
	nginx/snippets/paserv-fastcgi-params.conf \
	nginx/snippets/paserv-errors.conf \
	nginx/snippets/paserv-enrollment.conf \
	nginx/snippets/paserv-cloud.conf
EXTRA_DIST += $(nginx_DATA) nginx/paserv-local.conf.in
