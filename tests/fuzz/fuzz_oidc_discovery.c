/*
 * fuzz_oidc_discovery.c - OpenID Connect discovery documents (providers/custom/custom_discovery.c).
 *
 * Input: configuration selector, status selector, then the body of
 * GET {issuer}/.well-known/openid-configuration. Each run initialises the custom plugin with the fake
 * host, queues a code exchange behind the discovery, delivers the fuzzed document (and a fixed token
 * response to whatever the discovered endpoints lead to), builds an authorize URL and finalises the
 * plugin, so the endpoints and methods taken from the document are used, not only parsed.
 */
#include "fuzz.h"

#include "common/url.h"
#include "fake_host.h"
#include "provider_support.h"

extern const op_plugin_t fz_plugin_custom;

static const char *const configs[] = {
    "{\"providers\": [{\"name\": \"oidc\", \"issuer\": \"https://issuer.example\"}]}",
    "{\"providers\": [{\"name\": \"oidc\", \"issuer\": \"https://issuer.example/tenant/\", \"pkce\": false,"
    " \"client_auth\": \"post\", \"default_scopes\": \"openid email\"}]}",
    "{\"providers\": [{\"name\": \"oidc\", \"issuer\": \"https://issuer.example\","
    " \"token_endpoint\": \"https://issuer.example/token\", \"revocation_endpoint\": \"https://issuer.example/rv\","
    " \"capabilities\": [\"refresh\", \"oidc\"]}]}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {200, 200, 200, 404, 500, 0};
    fz_in_t in = {data, size};
    const char *config = configs[fz_byte(&in) % (sizeof(configs) / sizeof(configs[0]))];
    int status = statuses[fz_byte(&in) % (sizeof(statuses) / sizeof(statuses[0]))];
    char *doc = fz_strndup(in.p, in.left);

    fh_reset();
    void *state = NULL;
    FZ_CHECK(fz_plugin_custom.init(fh_host(), config, &state) == OP_OK);
    const op_provider_t *p = fh_provider("oidc");
    FZ_CHECK(p != NULL);
    if (status == 0)
        fh_script_transport(0, "connection refused");
    else
        fh_script(status, "application/json", doc);
    fh_script(200, "application/json", "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":3600}");

    op_client_t client = {.struct_size = sizeof(client),
                          .client_id = "client",
                          .client_secret = "secret",
                          .redirect_uri = "https://broker.example/oauth/callback"};
    fh_token_result_t tr = {0};
    int rc =
        p->exchange_code(p->data, &client, "code", "verifier-0123456789012345678901234567890123", fh_token_cb, &tr);
    fh_flush();
    FZ_CHECK(rc != OP_AGAIN || tr.called == 1);
    fh_token_result_clear(&tr);

    op_authorize_params_t ap = {.struct_size = sizeof(ap), .state = "st", .code_challenge = "cc", .nonce = "n0"};
    char *url = NULL;
    op_error_t err = {0};
    if (p->build_authorize_url(p->data, &client, &ap, &url, &err) == OP_OK) {
        FZ_CHECK(url != NULL && cm_url_is_http(url));
        fh_host()->mem_free(url);
    }
    fh_cancel_all();
    fz_plugin_custom.fini(state);
    fh_reset();
    free(doc);
    return 0;
}
