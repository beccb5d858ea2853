/* demo.h - the built-in demo service (siptty --demo): an in-process SIP
 * registrar and echo phone on loopback, with its own throwaway TLS CA, a
 * digest challenge, a STIR-signed call to the user, a media-authorization
 * token, an RSVP edge router and audio echoed back. */
#ifndef SIPTTY_DEMO_DEMO_H
#define SIPTTY_DEMO_DEMO_H

struct loop;
struct demo;

/*
 * Starts the service on loop.  *conf_text gets the configuration of the
 * demo account (owned by the demo): it is the only account siptty runs
 * with in demo mode, so nothing of the demo's keys or trust reaches a
 * real account.  A few seconds after the account registers, the demo
 * calls it; dialling "echo" (or any user at the demo) reaches the echo.
 */
int demo_start(struct demo **dp, struct loop *loop, const char **conf_text);
void demo_stop(struct demo *d);

#endif
