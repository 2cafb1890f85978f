{
  # Builds the OGR Arrow-stream reader (geopart_native) against the system libgdal (>= 3.6); the
  # include and link flags come from gdal-config so Debian, Homebrew and conda all work.
  'targets': [
    {
      'target_name': 'geopart_native',
      'sources': [
        'src/addon.cc',
        'src/arrow_export.cc',
        'src/dataset.cc',
        'src/datetime_offsets.cc',
        'src/gdal_error.cc',
        'src/gdal_quirks.cc',
        'src/layer_export.cc',
        'src/layer_reader.cc',
        'src/make_valid.cc',
        'src/reproject.cc',
        'src/reproject_wkb.cc',
      ],
      # node-addon-api's headers with C++ exceptions (std::exception too) turned into JS errors.
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_CPP_EXCEPTIONS',
        'NODE_ADDON_API_CPP_EXCEPTIONS_ALL',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
      ],
      'cflags': ['<!@(gdal-config --cflags)'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17'],
      'libraries': ['<!@(gdal-config --libs)'],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'OTHER_CFLAGS': ['<!@(gdal-config --cflags)'],
      },
    },
    {
      # Page codecs for the Parquet writer and reader, and the reader's page decoder, apart from GDAL so that loading them
      # costs no GDAL start-up.
      'target_name': 'geopart_codecs',
      'sources': ['src/codecs.cc', 'src/pages.cc', 'src/box_mask.cc', 'src/take.cc', 'src/dictionary.cc'],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_CPP_EXCEPTIONS',
        'NODE_ADDON_API_CPP_EXCEPTIONS_ALL',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
      ],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17'],
      'libraries': ['-lzstd', '-llz4', '-lz'],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
      },
    },
  ],
}
