// Links with one TU per public header: duplicate non-inline definitions fail to link.
#include <bufferprospector/bufferprospector.hpp>

int main() {
  const bp::network net("odr", bp::layer(bp::layers::input{.nofm = 3, .sofm = 8}));
  return net.size() == 0 ? 0 : 1;
}
