# short-expiry.sed - turns tests/interop/kamailio.cfg.in into a registrar that
# grants at most 10 s (tests/tiers/call4.sh (b): siptty must refresh within ~15 s).
s/^modparam("registrar", "max_expires", [0-9]*)/modparam("registrar", "max_expires", 10)/
s/^modparam("registrar", "default_expires", [0-9]*)/modparam("registrar", "default_expires", 10)/
