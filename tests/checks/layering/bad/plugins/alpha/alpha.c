#include "alpha.h"
#include "base/util.h"

int alpha(void)
{
    return (int)base_len("alpha");
}
