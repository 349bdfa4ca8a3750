int orphan(void)
{
    return 0;
}
