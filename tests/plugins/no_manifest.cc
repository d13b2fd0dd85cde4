// a shared library that is not a stride plugin: it exports no manifest
extern "C" __attribute__((visibility("default"))) int stride_test_not_a_plugin() { return 1; }
