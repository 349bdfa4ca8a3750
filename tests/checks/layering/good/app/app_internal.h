#define APP_NAME "app"
