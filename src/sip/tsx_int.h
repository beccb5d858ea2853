/* tsx_int.h - transaction structs shared by tsx.c, ctsx.c and stsx.c. */
#ifndef SIPTTY_SIP_TSX_INT_H
#define SIPTTY_SIP_TSX_INT_H

#include "sip/tsx.h"

#define TSX_BRANCH_MAX 128      /* longer branches are refused (E2BIG) */
#define TSX_TAG_MAX 64

struct sip_tsx_layer {
	struct loop *loop;
	struct sip_tsx_cfg cfg;
	struct sip_tsx_io io;
	sip_tsx_req_h *reqh;
	void *arg;
	struct sip_ctsx *ctsx;  /* doubly linked lists, newest first */
	struct sip_stsx *stsx;
	size_t n;
};

struct sip_ctsx {
	struct sip_ctsx *prev, *next;
	struct sip_tsx_layer *l;
	enum sip_ctsx_state state;
	bool invite;
	bool reliable;
	bool got_1xx;
	bool cancel_pending;
	enum sip_method method;
	struct pl method_name;  /* slice of req */
	char branch[TSX_BRANCH_MAX];
	struct sip_msg *req;
	struct sip_msg *ack;    /* ACK for the non-2xx, re-sent on repeats */
	struct sip_target dst;
	void *flow;
	struct tmr t_rtx;       /* A or E */
	struct tmr t_to;        /* B or F */
	struct tmr t_end;       /* D, K or M */
	uint64_t rtx_at;        /* when A/E was due, so lateness never adds up */
	uint64_t rtx_ival;
	sip_ctsx_h *h;
	void *arg;
};

struct sip_stsx {
	struct sip_stsx *prev, *next;
	struct sip_tsx_layer *l;
	enum sip_stsx_state state;
	bool invite;
	bool reliable;
	bool rfc2543;           /* branch without the magic cookie */
	enum sip_method method;
	struct sip_msg *req;
	struct sip_msg *resp;   /* the last response sent */
	struct pl branch;       /* slices of req */
	struct pl sent_host;
	uint16_t sent_port;
	char tag[TSX_TAG_MAX];
	struct sip_target src;
	void *flow;
	struct tmr t_rtx;       /* G */
	struct tmr t_to;        /* H, J or L */
	struct tmr t_end;       /* I */
	struct tmr t_trying;    /* 100 Trying */
	uint64_t rtx_at;
	uint64_t rtx_ival;
	sip_stsx_h *h;
	void *arg;
};

/* tsx.c */
int tsx_msg_dup(struct sip_msg **dp, const struct sip_msg *m);
int tsx_send(struct sip_tsx_layer *l, const struct sip_msg *msg,
	     const struct sip_target *dst, void *flow);
void tsx_arm(struct sip_tsx_layer *l, struct tmr *t, uint64_t at,
	     loop_tmr_h *h, void *arg);
int tsx_top_via(struct sip_msg *msg, const struct sip_via **vp);
int tsx_cseq_num_str(struct sip_msg *msg, char *out, size_t sz);

/* ctsx.c */
int ctsx_recv(struct sip_tsx_layer *l, struct sip_msg *resp);
void ctsx_destroy(struct sip_ctsx *ct);

/* stsx.c */
int stsx_recv(struct sip_tsx_layer *l, struct sip_msg *req,
	      const struct sip_target *src, void *flow);
void stsx_destroy(struct sip_stsx *st);

#endif
