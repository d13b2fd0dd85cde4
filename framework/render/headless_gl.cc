#include "headless_gl.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <cstring>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride::render {
namespace {

constexpr char kInstallHint[] =
    "headless rendering needs Mesa's EGL (Debian: apt-get install libegl1 libegl-mesa0 "
    "libgl1-mesa-dri)";

RuntimeError EglError(const std::string& step) {
  return RuntimeError(fmt::format("headless OpenGL: {} failed (EGL error 0x{:04x}); {}", step,
                                  eglGetError(), kInstallHint));
}

}  // namespace

HeadlessGlContext::HeadlessGlContext() {
  // the surfaceless platform needs neither a display server nor a GPU device
  const char* extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (extensions == nullptr ||
      std::strstr(extensions, "EGL_MESA_platform_surfaceless") == nullptr) {
    throw RuntimeError(fmt::format(
        "headless OpenGL: EGL has no surfaceless platform (EGL_MESA_platform_surfaceless); {}",
        kInstallHint));
  }
  const auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (get_platform_display == nullptr)
    throw EglError("eglGetProcAddress(eglGetPlatformDisplayEXT)");
  EGLDisplay display =
      get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  EGLint major = 0, minor = 0;
  if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor)) {
    throw EglError("eglInitialize on the surfaceless platform");
  }
  display_ = display;

  const EGLint config_attributes[] = {EGL_RED_SIZE,
                                      8,
                                      EGL_GREEN_SIZE,
                                      8,
                                      EGL_BLUE_SIZE,
                                      8,
                                      EGL_ALPHA_SIZE,
                                      8,
                                      EGL_DEPTH_SIZE,
                                      24,
                                      EGL_STENCIL_SIZE,
                                      8,
                                      EGL_RENDERABLE_TYPE,
                                      EGL_OPENGL_BIT,
                                      EGL_SURFACE_TYPE,
                                      EGL_PBUFFER_BIT,
                                      EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configs = 0;
  if (!eglChooseConfig(display, config_attributes, &config, 1, &configs) || configs < 1) {
    eglTerminate(display);
    throw EglError("eglChooseConfig (8-bit RGBA, 24-bit depth, desktop OpenGL, pbuffer)");
  }
  if (!eglBindAPI(EGL_OPENGL_API)) {
    eglTerminate(display);
    throw EglError("eglBindAPI(EGL_OPENGL_API)");
  }
  const EGLint context_attributes[] = {EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                       EGL_CONTEXT_OPENGL_COMPATIBILITY_PROFILE_BIT, EGL_NONE};
  EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attributes);
  if (context == EGL_NO_CONTEXT) {
    eglTerminate(display);
    throw EglError("eglCreateContext (compatibility profile)");
  }
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    eglDestroyContext(display, context);
    eglTerminate(display);
    throw EglError("eglMakeCurrent without a surface");
  }
  context_ = context;
}

HeadlessGlContext::~HeadlessGlContext() {
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(display_, context_);
  eglTerminate(display_);
}

std::string HeadlessGlContext::renderer() const {
  // glGetString(GL_RENDERER), without linking libGL
  constexpr unsigned kGlRenderer = 0x1F01;
  using GetString = const unsigned char* (*)(unsigned);
  const auto get_string = reinterpret_cast<GetString>(eglGetProcAddress("glGetString"));
  const unsigned char* name = get_string ? get_string(kGlRenderer) : nullptr;
  return name ? reinterpret_cast<const char*>(name) : "unknown";
}

}  // namespace stride::render
