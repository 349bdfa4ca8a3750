int alpha(void);
