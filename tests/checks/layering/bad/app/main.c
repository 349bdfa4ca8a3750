#include "app_internal.h"
#include "base/util.h"
#include "net/net.h"
#include "../base/src/local.h"
#include "version_gen.h"

int main(void)
{
    return net_send(APP_NAME);
}
