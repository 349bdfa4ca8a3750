#include "../base/src/local.h"
#include "../app/app_internal.h"

int test_app(void)
{
    return APP_NAME[0];
}
