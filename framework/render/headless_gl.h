// An OpenGL context with no window and no display server: EGL on Mesa's
// surfaceless platform, rendered in software by llvmpipe where there is no GPU.
// MuJoCo draws into its own offscreen framebuffer, so no surface is needed.
#ifndef STRIDE_RENDER_HEADLESS_GL_H_
#define STRIDE_RENDER_HEADLESS_GL_H_

#include <string>

namespace stride::render {

class HeadlessGlContext {
 public:
  // a compatibility-profile context (MuJoCo 2.2 draws with fixed-function GL),
  // current on the calling thread; throws RuntimeError saying which step failed
  HeadlessGlContext();
  ~HeadlessGlContext();
  HeadlessGlContext(const HeadlessGlContext&) = delete;
  HeadlessGlContext& operator=(const HeadlessGlContext&) = delete;

  // the GL renderer, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string renderer() const;

 private:
  void* display_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace stride::render

#endif  // STRIDE_RENDER_HEADLESS_GL_H_
