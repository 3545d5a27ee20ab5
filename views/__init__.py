"""How reports and findings are shown: the static status site, and the report tables with their
offending cells marked (the site's agency pages and the digest email share them).

Everything a portal served is untrusted: it reaches HTML only through Jinja2 with autoescaping on.
"""
