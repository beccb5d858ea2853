/* date.c - the Date header: RFC 1123 dates in GMT only (RFC 3261 20.17, RFC 4475 baddate). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

static const char wkdays[] = "SunMonTueWedThuFriSat";
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int two(const char *p)
{
	if (!sip_is(p[0], CT_DIGIT) || !sip_is(p[1], CT_DIGIT))
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static int find3(const char *tab, size_t n, const char *p)
{
	for (size_t i = 0; i < n; i++) {
		if (memcmp(tab + 3 * i, p, 3) == 0)
			return (int)i;
	}
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * rfc1123-date = wkday "," SP date1 SP time SP "GMT"
 * "Sat, 15 Oct 2005 04:44:56 GMT": fixed width, so it is checked by
 * position.  The weekday must match the date: a wrong one means the
 * sender's clock code is broken, and a signed Date is compared as text.
 */
int sip_date_decode(const struct pl *s0, int64_t *t)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31};
	struct pl s = *s0;
	const char *p;
	int wd, day, mon, y1, y2, hh, mm, ss, year;
	int64_t days;

	sip_lws(&s);
	while (s.l && sip_is(s.p[s.l - 1], CT_LWS))
		s.l--;
	if (s.l != 29)
		return EBADMSG;
	p = s.p;
	wd = find3(wkdays, 7, p);
	mon = find3(months, 12, p + 8);
	day = two(p + 5);
	y1 = two(p + 12);
	y2 = two(p + 14);
	hh = two(p + 17);
	mm = two(p + 20);
	ss = two(p + 23);
	if (wd < 0 || mon < 0 || day < 1 || y1 < 0 || y2 < 0 || hh < 0 ||
	    mm < 0 || ss < 0 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' ||
	    p[11] != ' ' || p[16] != ' ' || p[19] != ':' || p[22] != ':' ||
	    p[25] != ' ' || memcmp(p + 26, "GMT", 3) != 0)
		return EBADMSG;
	year = y1 * 100 + y2;
	if (hh > 23 || mm > 59 || ss > 60 || day > mdays[mon] ||
	    (mon == 1 && day == 29 && !leap(year)))
		return EBADMSG;
	days = days_from_civil(year, mon + 1, day);
	if ((((days + 4) % 7) + 7) % 7 != wd)
		return EBADMSG;
	*t = days * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}
