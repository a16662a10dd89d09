/* The Chinese OHIF 3.13.2 lacks for what a reader meets (docs/adr/0023-viewer.md): the
   measurement panel and its questions, the image download dialog, the series' tracking
   marks, the display-set messages and the header's menu. Keyed as OHIF's own en-US
   resources are (namespace, then the English key); viewer-start.js hands them to OHIF's
   i18n (addLocales), which merges them into its own Chinese. */
window.xietongViewerLocales = {
  zh: {
    MeasurementTable: {
      "No, do not ask again": "否，不再询问",
      Rename: "重命名",
      Duplicate: "复制",
      "Change Color": "更改颜色",
      Lock: "锁定",
      Unlock: "解锁",
      Hide: "隐藏",
      Show: "显示",
      "Create SR": "保存为结构化报告",
      empty: "（空）",
      "You have existing tracked measurements. What would you like to do with your existing tracked measurements?":
        "已有跟踪中的测量。要如何处理这些测量？",
      "Measurements cannot span across multiple studies. Do you want to save your tracked measurements?":
        "测量不能跨多个检查。要保存跟踪中的测量吗？",
      "Do you want to continue tracking measurements for this study?": "要继续跟踪此检查的测量吗？",
      "Do you want to open this Segmentation?": "要打开此分割吗？",
      "There are unsaved measurements. Do you want to save it?": "有未保存的测量。要保存吗？",
    },
    ViewportDownloadForm: {
      emptyFilenameError: "文件名不能为空。",
      fileType: "文件类型",
      filename: "文件名",
      formTitle: "请指定导出图像的尺寸、文件名和类型。",
      imageHeight: "图像高度（像素）",
      imagePreview: "图像预览",
      imageWidth: "图像宽度（像素）",
      keepAspectRatio: "保持宽高比",
      loadingPreview: "正在加载图像预览…",
      minHeightError: "高度至少为 100 像素。",
      minWidthError: "宽度至少为 100 像素。",
      showAnnotations: "显示标注",
    },
    Messages: {
      "Display Set Messages": "序列提示",
      1: "序列中没有有效的图像。",
      2: "序列缺少位置信息。",
      3: "序列不能重建为三维体数据。",
      4: "多帧序列没有像素测量信息。",
      5: "多帧序列没有方向信息。",
      6: "多帧序列没有位置信息。",
      7: "序列缺少帧。",
      8: "序列的层间距不均匀。",
      9: "序列各帧的尺寸不一致。",
      10: "序列各帧的分量数不一致。",
      11: "序列各帧的方向不一致。",
      12: "序列的位置信息不一致。",
      13: "不支持此序列。",
      14: "不支持 SOP Class UID {{ sopClassUid }}。",
      15: "序列缺少 SOP Class UID，请检查文件。",
    },
    Header: { Appearance: "外观", Logout: "退出登录" },
    Common: { Foreground: "前景", "SELECT A FOREGROUND": "选择前景", "SELECT A SEGMENTATION": "选择分割" },
    TooltipClipboard: { Copied: "已复制", "Failed to copy": "复制失败" },
    ThumbnailTracked: {
      "Series is tracked": "序列已跟踪",
      "Series is untracked": "序列未跟踪",
      Viewport: "视图",
    },
    TrackedCornerstoneViewport: {
      "Series is tracked and can be viewed in the measurement panel": "序列已跟踪，可在测量面板中查看",
      "Measurements for untracked series will not be shown in the measurements panel":
        "未跟踪序列的测量不会显示在测量面板中",
    },
    StudyItem: { "Tracked series": "已跟踪 {{trackedSeries}} 个序列" },
    WindowLevelActionMenu: {
      "Rendering Presets": "渲染预设",
      "Search all": "搜索全部",
      Quality: "质量",
      Lighting: "光照",
      Shade: "阴影",
      Ambient: "环境光",
      Diffuse: "漫反射",
      Specular: "镜面反射",
      Shift: "偏移",
    },
    ErrorBoundary: { in: "位于", "Stack Trace": "调用栈" },
  },
};
