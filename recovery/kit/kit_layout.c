/* The emergency kit's one layout, in English and Japanese: what it says and where, flowed
 * with the measure of whichever renderer draws it; and the QR code as terminal text. Part
 * of the kit module (kura-kit.so), with the renderers. Draws nothing itself. */
#include <stdio.h>
#include <string.h>

#include "kit_int.h"
#include "kura/kura.h"

typedef struct kit_text {
    const char *title, *subtitle, *l_vault, *l_id, *l_date, *unnamed, *l_gen, *gen_made, *gen,
        *l_remote, *l_file, *l_key, *scan_title, *scan_body, *how_title, *steps[3], *step_clone,
        *step_file, *keep_title, *keep_body, *warning, *f_printed, *f_vault, *f_sep;
    /* A share kit's own words: {1} the threshold, {2} the shares made, {3} this share. */
    const char *s_title, *s_subtitle, *s_label, *s_scan, *s_step, *s_keep;
} kit_text;

static const kit_text text_en = {
    .title = "Kura Emergency Kit",
    .subtitle = "This kit opens your vault on a new device. Print it and keep it somewhere "
                "safe.",
    .l_vault = "Vault",
    .l_id = "Vault id",
    .l_date = "Date",
    .unnamed = "(no name)",
    .l_gen = "Key",
    .gen_made = "Key {1} of this vault, made {2}. Older kits no longer open it.",
    .gen = "Key {1} of this vault. Older kits no longer open it.",
    .l_remote = "Syncs with",
    .l_file = "Vault file",
    .l_key = "Client key",
    .scan_title = "Scan to unlock",
    .scan_body = "On a new device, run kura unlock --kit FILE with a photo or screenshot of "
                 "this page, or run kura unlock and type the key above.",
    .how_title = "How to use it on a new device",
    .steps = {"Install kura. Run kura clone REMOTE if your vault syncs, or kura unlock on a "
              "copy of its file.",
              "Type the client key above when asked. Case, spaces and dashes do not matter, "
              "and a typo is caught before it reaches the vault.",
              "Once unlocked, kura kit saves a fresh kit at any time."},
    .step_clone = "Install kura, then run kura clone {1}",
    .step_file = "Install kura, copy the vault file ({1}) to the new device, and run kura "
                 "--vault FILE unlock there.",
    .keep_title = "Where to keep it",
    .keep_body = "Print it and keep it with your important papers, in a safe or a safe-deposit "
                 "box. A kit file on the same disk as the vault, in email or in cloud storage is "
                 "a key under the doormat: once printed, delete the kit's files.",
    .warning = "If you lose this kit and every device that can unlock your vault, the only way "
               "back is a reset, and a reset deletes everything in the vault. Without this key "
               "nobody, kura's makers included, can recover your data.",
    .f_printed = "printed",
    .f_vault = "vault",
    .f_sep = " - ",
    .s_title = "Kura Split Kit: share {3} of {2}",
    .s_subtitle = "Any {1} of the {2} shares open your vault together; fewer open nothing.",
    .s_label = "Share {3} of {2}",
    .s_scan = "On a new device, gather {1} shares and run kura unlock with a --kit for each "
              "(a photo, screenshot or PDF of it), or run kura unlock and type each share.",
    .s_step = "Bring any {1} of the {2} shares together: kura unlock --kit share1.png --kit "
              "share2.pdf ..., or type them when asked. Case, spaces and dashes do not matter.",
    .s_keep = "Give each share to a different person you trust, or keep each in a different "
              "place. One share alone opens nothing, and fewer than {1} say nothing about the "
              "key. Keep no share file on the same disk as the vault.",
};

static const kit_text text_ja = {
    .title = "Kura 緊急キット",
    .subtitle = "新しいデバイスで保管庫を開くためのキットです。印刷して安全な場所に保管してくだ"
                "さい。",
    .l_vault = "保管庫",
    .l_id = "保管庫 ID",
    .l_date = "日付",
    .unnamed = "(名前なし)",
    .l_gen = "キー",
    .gen_made = "この保管庫の {1} 番目のキー({2} 作成)。これより古いキットではもう開けません。",
    .gen = "この保管庫の {1} 番目のキー。これより古いキットではもう開けません。",
    .l_remote = "同期先",
    .l_file = "保管庫ファイル",
    .l_key = "クライアントキー",
    .scan_title = "スキャンしてロック解除",
    .scan_body = "新しいデバイスで、このページの写真かスクリーンショットを使って kura unlock "
                 "--kit ファイル を実行するか、kura unlock を実行して上のキーを入力してください。",
    .how_title = "新しいデバイスでの使い方",
    .steps = {"kura をインストールし、同期している保管庫なら kura clone リモート を、コピーし"
              "たファイルなら kura unlock を実行します。",
              "求められたら上のクライアントキーを入力します。大文字と小文字、スペース、ハイフン"
              "は区別されず、打ち間違いは保管庫に届く前に見つかります。",
              "ロックを解除したあとは、kura kit でいつでも新しいキットを保存できます。"},
    .step_clone = "kura をインストールし、kura clone {1} を実行します。",
    .step_file = "kura をインストールし、保管庫ファイル({1})を新しいデバイスにコピーして、そこで"
                 " kura --vault ファイル unlock を実行します。",
    .keep_title = "保管場所",
    .keep_body = "印刷して、金庫や貸金庫など、大切な書類と一緒に保管してください。保管庫と同じ"
                 "ディスクやメール、クラウドにあるキットのファイルは、玄関マットの下の鍵と同じで"
                 "す。印刷したら、キットのファイルを削除してください。",
    .warning = "このキットと、保管庫のロックを解除できるすべてのデバイスを失った場合、残る手段"
               "はリセットだけです。リセットすると保管庫のデータはすべて消去されます。このキー"
               "がなければ、kura の開発者を含め誰もデータを復元できません。",
    .f_printed = "印刷日",
    .f_vault = "保管庫",
    .f_sep = " ・ ",
    .s_title = "Kura 分割キット: {2} 枚中 {3} 枚目",
    .s_subtitle = "{2} 枚のうち任意の {1} 枚を合わせると保管庫が開きます。それより少なければ開きま"
                  "せん。",
    .s_label = "シェア {3}/{2}",
    .s_scan = "新しいデバイスで {1} 枚のシェアを集め、それぞれの写真かスクリーンショットか PDF "
              "を --kit で指定して kura unlock を実行するか、kura unlock を実行して各シェアを入"
              "力してください。",
    .s_step = "{2} 枚のうち任意の {1} 枚を集めます: kura unlock --kit share1.png --kit "
              "share2.pdf ... または求められたときに入力します。大文字と小文字、スペース、ハイフ"
              "ンは区別されません。",
    .s_keep = "シェアは信頼できる別々の人に渡すか、別々の場所に保管してください。1 枚だけでは何"
              "も開けず、{1} 枚より少なければキーについて何もわかりません。保管庫と同じディスク"
              "にシェアのファイルを置かないでください。",
};

/* ---- terminal QR ---- */

int kit_qr_text(char **out, const char *vault_id, const kura_client_key *key, int ascii)
{
    char payload[KURA_KIT_PAYLOAD_MAX];
    kura_qr qr;
    *out = NULL;
    kura_kit_payload(payload, vault_id, key);
    int rc = kura_qr_encode(&qr, payload);
    sodium_memzero(payload, sizeof payload);
    if (rc != KURA_OK) return rc;
    int side = qr.width + 2 * KURA_QR_QUIET;
    /* Each cell: up to 3 bytes (a half block) or 2 ("##"); a newline per row. */
    size_t rows = ascii ? (size_t)side : (size_t)(side + 1) / 2;
    size_t cap = rows * ((size_t)side * 3 + 1) + 1, o = 0;
    char *s = sodium_malloc(cap);
    if (!s) {
        kura_qr_free(&qr);
        return KURA_ERR_NOMEM;
    }
#define DARK(r, c)                                                                                 \
    ((r) >= KURA_QR_QUIET && (c) >= KURA_QR_QUIET && (r) < KURA_QR_QUIET + qr.width &&             \
     (c) < KURA_QR_QUIET + qr.width &&                                                             \
     qr.dark[((r)-KURA_QR_QUIET) * qr.width + ((c)-KURA_QR_QUIET)])
    for (int r = 0; r < side; r += ascii ? 1 : 2) {
        for (int c = 0; c < side; c++) {
            if (ascii) {
                const char *cell = DARK(r, c) ? "##" : "  ";
                memcpy(s + o, cell, 2), o += 2;
                continue;
            }
            int top = DARK(r, c), bottom = r + 1 < side && DARK(r + 1, c);
            const char *cell = top && bottom ? "\xe2\x96\x88" /* full block */
                               : top         ? "\xe2\x96\x80" /* upper half */
                               : bottom      ? "\xe2\x96\x84" /* lower half */
                                             : " ";
            size_t len = strlen(cell);
            memcpy(s + o, cell, len), o += len;
        }
        s[o++] = '\n';
    }
#undef DARK
    s[o] = '\0';
    kura_qr_free(&qr);
    *out = s;
    return KURA_OK;
}

/* ---- the layout ---- */

void kit_page_size(const kura_kit_spec *spec, double *w, double *h)
{
    if (spec->paper == KURA_PAPER_LETTER) {
        *w = 612, *h = 792;
    } else {
        *w = 595.276, *h = 841.89;
    }
}

typedef struct flow {
    kit_layout *l;
    kit_measure_fn measure;
    void *ctx;
    int rc;
} flow;

static const char *keep(flow *f, const char *s, size_t n)
{
    char *p = kura_arena_strndup(f->l->arena, s, n);
    if (!p && f->rc == KURA_OK) f->rc = KURA_ERR_NOMEM;
    return p ? p : "";
}

static kit_op *op(flow *f, kit_op_kind kind)
{
    if (f->l->n == KIT_MAX_OPS) {
        f->rc = KURA_ERR_INVALID;
        return &f->l->ops[KIT_MAX_OPS - 1];
    }
    kit_op *o = &f->l->ops[f->l->n++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    return o;
}

static void text(flow *f, kit_font font, double size, double x, double y, double gray,
                 const char *s)
{
    kit_op *o = op(f, OP_TEXT);
    o->font = font, o->size = size, o->x = x, o->y = y, o->gray = gray;
    o->text = keep(f, s, strlen(s));
}

static void box(flow *f, double x, double y, double w, double h, double gray)
{
    kit_op *o = op(f, OP_BOX);
    o->x = x, o->y = y, o->w = w, o->h = h, o->gray = gray;
}

/* Bytes in the UTF-8 sequence starting at s, and its code point. */
static size_t next_cp(const char *s, unsigned *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) return *cp = p[0], 1;
    size_t n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : 4;
    unsigned v = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n && p[i]; i++)
        v = (v << 6) | (p[i] & 0x3f);
    *cp = v;
    return n;
}

static int wide(unsigned cp)
{
    return cp >= 0x2e80;
}

/* No line may start with these (Japanese line-breaking rules, the common part). */
static int no_start(unsigned cp)
{
    return cp == 0x3001 || cp == 0x3002 || cp == 0xff0c || cp == 0xff0e || cp == 0x30fc ||
           cp == 0xff09 || cp == 0x300d || cp == 0x30fb;
}

/* Flows s into lines at most width wide, breaking at spaces or between wide characters (and,
 * in monospace, a URL or a path after its punctuation).
 * Returns the height used. */
static double wrap(flow *f, kit_font font, double size, double x, double y, double width,
                   double gray, const char *s, int draw)
{
    char line[1024];
    double lh = size * 1.45, used = 0;
    while (*s == ' ')
        s++;
    while (*s) {
        size_t best = 0, pos = 0, fits = 0;
        while (s[pos]) {
            unsigned cp, next = 0;
            size_t n = next_cp(s + pos, &cp);
            size_t end = pos + n;
            if (s[end]) next_cp(s + end, &next);
            int breakable = s[end] == '\0' || s[end] == ' ' ||
                            ((wide(cp) || wide(next)) && !no_start(next) && next != ' ') ||
                            (font == KIT_MONO && cp < 0x80 && strchr("/.-_:@?&", (int)cp));
            if (end >= sizeof line) break;
            if (breakable || !best) {
                memcpy(line, s, end);
                line[end] = '\0';
                int over = f->measure(f->ctx, font, size, line) > width;
                if (over && best) break;
                /* A word wider than the line (a long URL): cut where it stops fitting. */
                if (over && fits) {
                    best = fits;
                    break;
                }
                if (!over) fits = end;
                if (breakable) best = end;
            }
            pos = end;
        }
        if (!best) best = pos ? pos : strlen(s);
        if (draw) {
            kit_op *o = op(f, OP_TEXT);
            o->font = font, o->size = size, o->x = x, o->y = y + used + size, o->gray = gray;
            o->text = keep(f, s, best);
        }
        used += lh;
        s += best;
        while (*s == ' ')
            s++;
    }
    return used;
}

static int ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

void kit_user_text(char *out, size_t cap, const kura_kit_spec *spec)
{
    int where = spec->where && !ascii(spec->where);
    snprintf(out, cap, "%s%s%s", spec->vault_name, where ? " " : "", where ? spec->where : "");
}

/* tmpl with {1} and {2} replaced by a and b, into out (cap bytes; cut when longer). */
static void fill3(char *out, size_t cap, const char *tmpl, const char *a, const char *b,
                  const char *c)
{
    size_t n = 0;
    while (*tmpl && n + 1 < cap) {
        if (tmpl[0] == '{' && tmpl[1] >= '1' && tmpl[1] <= '3' && tmpl[2] == '}') {
            const char *with = tmpl[1] == '1' ? a : tmpl[1] == '2' ? b : c;
            for (; with && *with && n + 1 < cap; with++)
                out[n++] = *with;
            tmpl += 3;
        } else {
            out[n++] = *tmpl++;
        }
    }
    out[n] = '\0';
}

static void fill(char *out, size_t cap, const char *tmpl, const char *a, const char *b)
{
    fill3(out, cap, tmpl, a, b, NULL);
}

/* The layout with a QR code q points wide; KURA_ERR_INVALID if it does not fit the page. */
static int build(kit_layout *l, const kura_kit_spec *spec, kit_measure_fn measure, void *ctx,
                 double q, int where_in_steps)
{
    const kit_text *t = spec->lang == KURA_LANG_JA ? &text_ja : &text_en;
    flow f = {.l = l, .measure = measure, .ctx = ctx};
    char payload[KURA_SHARE_PAYLOAD_MAX], key[KURA_SHARE_TEXT_LEN + 1], buf[256];
    /* A share kit: its own title, label and words, the share where a key would be. */
    char k_s[16] = "", n_s[16] = "", i_s[16] = "", title[256], sub[512], label[128], scan[1024],
         share_step[1024], keep_body[1024];
    const char *t_title = t->title, *t_sub = t->subtitle, *t_label = t->l_key,
               *t_scan = t->scan_body, *t_keep = t->keep_body;
    if (spec->share) {
        kura_share_info si;
        kura_share_info_of(spec->share, &si);
        snprintf(k_s, sizeof k_s, "%u", si.threshold);
        snprintf(n_s, sizeof n_s, "%u", spec->share_count);
        snprintf(i_s, sizeof i_s, "%u", si.number);
        fill3(title, sizeof title, t->s_title, k_s, n_s, i_s);
        fill3(sub, sizeof sub, t->s_subtitle, k_s, n_s, i_s);
        fill3(label, sizeof label, t->s_label, k_s, n_s, i_s);
        fill3(scan, sizeof scan, t->s_scan, k_s, n_s, i_s);
        fill3(share_step, sizeof share_step, t->s_step, k_s, n_s, i_s);
        fill3(keep_body, sizeof keep_body, t->s_keep, k_s, n_s, i_s);
        t_title = title, t_sub = sub, t_label = label, t_scan = scan, t_keep = keep_body;
    }

    memset(l, 0, sizeof *l);
    l->lang = spec->lang;
    kit_page_size(spec, &l->page_w, &l->page_h);
    l->arena = kura_arena_new();
    if (!l->arena) return KURA_ERR_NOMEM;
    if (spec->share)
        kura_share_payload(payload, spec->vault_id, spec->share);
    else
        kura_kit_payload(payload, spec->vault_id, spec->key);
    int rc = kura_qr_encode(&l->qr, payload);
    sodium_memzero(payload, sizeof payload);
    if (rc != KURA_OK) return rc;
    if (spec->share)
        kura_share_format(key, spec->share);
    else
        kura_key_format(key, spec->key);

    const double M = 50, W = l->page_w - 2 * M;
    double y = M;
    text(&f, KIT_BOLD, spec->share ? 22 : 26, M, y + 24, 0, t_title);
    y += 34;
    y += wrap(&f, KIT_SANS, 11, M, y, W, 0.35, t_sub, 1) + 8;
    kit_op *rule = op(&f, OP_RULE);
    rule->x = M, rule->y = y, rule->w = W, rule->gray = 0.6;
    y += 22;

    /* Which key this is, so an old printout is never taken for the current one. */
    char gen[256] = "", step[1024], n[16];
    snprintf(n, sizeof n, "%u", spec->key_gen);
    if (spec->key_gen)
        fill(gen, sizeof gen, spec->key_made ? t->gen_made : t->gen, n, spec->key_made);
    const char *labels[5] = {t->l_vault, t->l_id, t->l_date, t->l_gen,
                             spec->where_remote ? t->l_remote : t->l_file};
    const char *values[5] = {spec->vault_name[0] ? spec->vault_name : t->unnamed, spec->vault_id,
                             spec->date, gen, spec->where ? spec->where : ""};
    for (int i = 0; i < 5; i++) {
        if (!values[i][0] || (i == 2 && spec->key_gen)) continue; /* the footer has the date */
        text(&f, KIT_BOLD, 10.5, M, y, 0.25, labels[i]);
        /* What the user wrote in a font that has it all; a URL or an ASCII path in
         * monospace. A name, a sentence, a URL or a path may be long: wrapped. */
        kit_font font = i == 0 && spec->vault_name[0] ? KIT_USER
                        : i == 4                      ? (ascii(values[4]) ? KIT_MONO : KIT_USER)
                                                      : KIT_SANS;
        if (i == 0 || i >= 3)
            y += wrap(&f, font, font == KIT_MONO ? 9.5 : 10.5, M + 95, y - 10.5, W - 95, 0,
                      values[i], 1) -
                 10.5 * 1.45;
        else
            text(&f, i == 1 ? KIT_MONO : KIT_SANS, 10.5, M + 95, y, 0, values[i]);
        y += 16;
    }
    y += 10;

    /* The key: as large as fits on one line, in a shaded box. */
    double unit = measure(ctx, KIT_MONO, 100, key) / 100; /* hinting skews tiny sizes */
    double ksize = unit > 0 ? (W - 36) / unit : 20;
    if (ksize > 24) ksize = 24;
    double kh = 34 + ksize * 1.6;
    box(&f, M, y, W, kh, 0.93);
    text(&f, KIT_BOLD, 10.5, M + 16, y + 20, 0.25, t_label);
    text(&f, KIT_MONO, ksize, M + (W - unit * ksize) / 2, y + 28 + ksize, 0, key);
    y += kh + 16;

    /* The QR code with its quiet zone, and how to use it beside it. */
    kit_op *code = op(&f, OP_QR);
    code->x = M, code->y = y, code->w = code->h = q;
    double x2 = M + q + 18, w2 = W - q - 18, y2 = y + 4 + 4 * q / (l->qr.width + 8);
    text(&f, KIT_BOLD, 13, x2, y2 + 13, 0, t->scan_title);
    y2 += 22;
    y2 += wrap(&f, KIT_SANS, 10.5, x2, y2, w2, 0, t_scan, 1);
    y = (y + q > y2 ? y + q : y2) + 14;

    text(&f, KIT_BOLD, 13, M, y + 13, 0, t->how_title);
    y += 24;
    for (int i = 0; i < 3; i++) {
        const char *says = t->steps[i];
        if (i == 0 && spec->where && where_in_steps && ascii(spec->where)) {
            /* with where this vault lives (written in the step's own font: ASCII only) */
            fill(step, sizeof step, spec->where_remote ? t->step_clone : t->step_file, spec->where,
                 NULL);
            says = step;
        }
        if (i == 1 && spec->share) says = share_step;
        snprintf(buf, sizeof buf, "%d.", i + 1);
        text(&f, KIT_BOLD, 10.5, M, y + 10.5, 0, buf);
        y += wrap(&f, KIT_SANS, 10.5, M + 18, y, W - 18, 0, says, 1) + 3;
    }
    y += 8;

    text(&f, KIT_BOLD, 13, M, y + 13, 0, t->keep_title);
    y += 24;
    y += wrap(&f, KIT_SANS, 10.5, M, y, W, 0, t_keep, 1) + 10;

    double wh = wrap(&f, KIT_BOLD, 10.5, M + 14, y + 12, W - 28, 0, t->warning, 0) + 24;
    box(&f, M, y, W, wh, 0.88);
    wrap(&f, KIT_BOLD, 10.5, M + 14, y + 12, W - 28, 0, t->warning, 1);
    y += wh;

    snprintf(buf, sizeof buf, "kura %s%s%s %s%s%s %s", KURA_VERSION_STRING, t->f_sep, t->f_printed,
             spec->date, t->f_sep, t->f_vault, spec->vault_id);
    text(&f, KIT_SANS, 8, M, l->page_h - 30, 0.45, buf);
    sodium_memzero(key, sizeof key);
    sodium_memzero(share_step, sizeof share_step);
    if (f.rc == KURA_OK && y > l->page_h - 44) f.rc = KURA_ERR_INVALID; /* it must fit */
    return f.rc;
}

int kit_layout_build(kit_layout *l, const kura_kit_spec *spec, kit_measure_fn measure, void *ctx)
{
    /* A long name and a long remote URL on US Letter: a smaller QR code makes the room, and
     * at last the first step names the command without repeating the URL. */
    int rc = build(l, spec, measure, ctx, 164, 1);
    for (double q = 144; rc == KURA_ERR_INVALID && q >= 104; q -= 20) {
        kit_layout_free(l);
        rc = build(l, spec, measure, ctx, q, 1);
    }
    if (rc == KURA_ERR_INVALID) { /* the URL or path once, in its row above the steps */
        kit_layout_free(l);
        rc = build(l, spec, measure, ctx, 104, 0);
    }
    return rc;
}

void kit_layout_free(kit_layout *l)
{
    kura_qr_free(&l->qr);
    kura_arena_free(l->arena);
    l->arena = NULL;
    l->n = 0;
}
