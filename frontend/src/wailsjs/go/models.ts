export namespace assistant {
	
	export class AttachmentView {
	    id: number;
	    messageId: number;
	    name: string;
	    mime: string;
	    kind: string;
	    size: number;
	    truncated: boolean;
	    keptTokens: number;
	    totalTokens: number;
	
	    static createFrom(source: any = {}) {
	        return new AttachmentView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.messageId = source["messageId"];
	        this.name = source["name"];
	        this.mime = source["mime"];
	        this.kind = source["kind"];
	        this.size = source["size"];
	        this.truncated = source["truncated"];
	        this.keptTokens = source["keptTokens"];
	        this.totalTokens = source["totalTokens"];
	    }
	}
	export class AttachmentContent {
	    attachment: AttachmentView;
	    text: string;
	    dataUrl: string;
	
	    static createFrom(source: any = {}) {
	        return new AttachmentContent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.attachment = this.convertValues(source["attachment"], AttachmentView);
	        this.text = source["text"];
	        this.dataUrl = source["dataUrl"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Citation {
	    n: number;
	    documentId: number;
	    title: string;
	    source: string;
	    lineStart: number;
	    lineEnd: number;
	    heading: string;
	
	    static createFrom(source: any = {}) {
	        return new Citation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.n = source["n"];
	        this.documentId = source["documentId"];
	        this.title = source["title"];
	        this.source = source["source"];
	        this.lineStart = source["lineStart"];
	        this.lineEnd = source["lineEnd"];
	        this.heading = source["heading"];
	    }
	}
	export class MessageView {
	    id: number;
	    chatId: number;
	    role: string;
	    content: string;
	    reasoning: string;
	    model: string;
	    status: string;
	    error: string;
	    promptTokens: number;
	    completionTokens: number;
	    durationMs: number;
	    contextDropped: number;
	    citations: Citation[];
	    createdAt: number;
	    parentId: number;
	    siblings: number[];
	    attachments: AttachmentView[];
	
	    static createFrom(source: any = {}) {
	        return new MessageView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.chatId = source["chatId"];
	        this.role = source["role"];
	        this.content = source["content"];
	        this.reasoning = source["reasoning"];
	        this.model = source["model"];
	        this.status = source["status"];
	        this.error = source["error"];
	        this.promptTokens = source["promptTokens"];
	        this.completionTokens = source["completionTokens"];
	        this.durationMs = source["durationMs"];
	        this.contextDropped = source["contextDropped"];
	        this.citations = this.convertValues(source["citations"], Citation);
	        this.createdAt = source["createdAt"];
	        this.parentId = source["parentId"];
	        this.siblings = source["siblings"];
	        this.attachments = this.convertValues(source["attachments"], AttachmentView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ChatSettings {
	    systemPrompt: string;
	    temperature?: number;
	    topP?: number;
	    maxTokens: number;
	
	    static createFrom(source: any = {}) {
	        return new ChatSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.systemPrompt = source["systemPrompt"];
	        this.temperature = source["temperature"];
	        this.topP = source["topP"];
	        this.maxTokens = source["maxTokens"];
	    }
	}
	export class ChatView {
	    id: number;
	    title: string;
	    model: string;
	    useDocuments: boolean;
	    settings: ChatSettings;
	    createdAt: number;
	    updatedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new ChatView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.model = source["model"];
	        this.useDocuments = source["useDocuments"];
	        this.settings = this.convertValues(source["settings"], ChatSettings);
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ChatDetail {
	    chat: ChatView;
	    messages: MessageView[];
	    generating: boolean;
	    pending: AttachmentView[];
	
	    static createFrom(source: any = {}) {
	        return new ChatDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chat = this.convertValues(source["chat"], ChatView);
	        this.messages = this.convertValues(source["messages"], MessageView);
	        this.generating = source["generating"];
	        this.pending = this.convertValues(source["pending"], AttachmentView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	export class DoneEvent {
	    chatId: number;
	    message: MessageView;
	
	    static createFrom(source: any = {}) {
	        return new DoneEvent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chatId = source["chatId"];
	        this.message = this.convertValues(source["message"], MessageView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LocalAPISettings {
	    enabled: boolean;
	    port: number;
	    origins: string[];
	
	    static createFrom(source: any = {}) {
	        return new LocalAPISettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.port = source["port"];
	        this.origins = source["origins"];
	    }
	}
	export class MessageHitView {
	    chatId: number;
	    chatTitle: string;
	    messageId: number;
	    role: string;
	    snippet: string;
	    createdAt: number;
	
	    static createFrom(source: any = {}) {
	        return new MessageHitView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chatId = source["chatId"];
	        this.chatTitle = source["chatTitle"];
	        this.messageId = source["messageId"];
	        this.role = source["role"];
	        this.snippet = source["snippet"];
	        this.createdAt = source["createdAt"];
	    }
	}
	
	export class PresetView {
	    id: number;
	    name: string;
	    settings: ChatSettings;
	    createdAt: number;
	    updatedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new PresetView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.settings = this.convertValues(source["settings"], ChatSettings);
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SendResult {
	    user: MessageView;
	    assistant: MessageView;
	
	    static createFrom(source: any = {}) {
	        return new SendResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.user = this.convertValues(source["user"], MessageView);
	        this.assistant = this.convertValues(source["assistant"], MessageView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TokenEvent {
	    chatId: number;
	    messageId: number;
	    text: string;
	    offset: number;
	
	    static createFrom(source: any = {}) {
	        return new TokenEvent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chatId = source["chatId"];
	        this.messageId = source["messageId"];
	        this.text = source["text"];
	        this.offset = source["offset"];
	    }
	}

}

export namespace backup {
	
	export class Config {
	    dir: string;
	    keep: number;
	    daily: boolean;
	    hasPassphrase: boolean;
	    last: number;
	
	    static createFrom(source: any = {}) {
	        return new Config(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dir = source["dir"];
	        this.keep = source["keep"];
	        this.daily = source["daily"];
	        this.hasPassphrase = source["hasPassphrase"];
	        this.last = source["last"];
	    }
	}

}

export namespace catalog {
	
	export class DownloadEvent {
	    id: string;
	    url: string;
	    progress: download.Progress;
	    state: string;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new DownloadEvent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.url = source["url"];
	        this.progress = this.convertValues(source["progress"], download.Progress);
	        this.state = source["state"];
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class EmbeddingModel {
	    id: string;
	    label: string;
	    available: boolean;
	    note: string;
	
	    static createFrom(source: any = {}) {
	        return new EmbeddingModel(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.available = source["available"];
	        this.note = source["note"];
	    }
	}
	export class LocalSettings {
	    weightType: string;
	    threads: number;
	    contextSize: number;
	    temperature: number;
	    topP: number;
	    topK: number;
	    repeatPenalty: number;
	    maxTokens: number;
	    promptTemplate: string;
	    systemPrompt: string;
	
	    static createFrom(source: any = {}) {
	        return new LocalSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.weightType = source["weightType"];
	        this.threads = source["threads"];
	        this.contextSize = source["contextSize"];
	        this.temperature = source["temperature"];
	        this.topP = source["topP"];
	        this.topK = source["topK"];
	        this.repeatPenalty = source["repeatPenalty"];
	        this.maxTokens = source["maxTokens"];
	        this.promptTemplate = source["promptTemplate"];
	        this.systemPrompt = source["systemPrompt"];
	    }
	}
	export class LocalModelView {
	    id: string;
	    name: string;
	    path: string;
	    engine: string;
	    info: models.Info;
	    settings: LocalSettings;
	    addedAt: number;
	    loaded: boolean;
	    managed: boolean;
	    weightTypes: string[];
	
	    static createFrom(source: any = {}) {
	        return new LocalModelView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.path = source["path"];
	        this.engine = source["engine"];
	        this.info = this.convertValues(source["info"], models.Info);
	        this.settings = this.convertValues(source["settings"], LocalSettings);
	        this.addedAt = source["addedAt"];
	        this.loaded = source["loaded"];
	        this.managed = source["managed"];
	        this.weightTypes = source["weightTypes"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ModelLoadEvent {
	    id: string;
	    fraction: number;
	    done: boolean;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new ModelLoadEvent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.fraction = source["fraction"];
	        this.done = source["done"];
	        this.error = source["error"];
	    }
	}
	export class ModelView {
	    id: string;
	    name: string;
	    provider: string;
	    local: boolean;
	    vision: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ModelView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.provider = source["provider"];
	        this.local = source["local"];
	        this.vision = source["vision"];
	    }
	}
	export class PendingDownload {
	    id: string;
	    url: string;
	    sha256: string;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new PendingDownload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.url = source["url"];
	        this.sha256 = source["sha256"];
	        this.bytes = source["bytes"];
	    }
	}
	export class ProviderView {
	    id: string;
	    name: string;
	    hasKey: boolean;
	    keyHint: string;
	    baseUrl: string;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new ProviderView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.hasKey = source["hasKey"];
	        this.keyHint = source["keyHint"];
	        this.baseUrl = source["baseUrl"];
	        this.error = source["error"];
	    }
	}

}

export namespace dataexport {
	
	export class Progress {
	    stage: string;
	    done: number;
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new Progress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.stage = source["stage"];
	        this.done = source["done"];
	        this.total = source["total"];
	    }
	}
	export class Report {
	    chats: number;
	    chatsSkipped: number;
	    messages: number;
	    documents: number;
	    documentsSkipped: number;
	    settings: number;
	    presets: number;
	    attachments: number;
	    presetsSkipped: number;
	    settingsSkipped: string[];
	
	    static createFrom(source: any = {}) {
	        return new Report(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chats = source["chats"];
	        this.chatsSkipped = source["chatsSkipped"];
	        this.messages = source["messages"];
	        this.documents = source["documents"];
	        this.documentsSkipped = source["documentsSkipped"];
	        this.settings = source["settings"];
	        this.presets = source["presets"];
	        this.attachments = source["attachments"];
	        this.presetsSkipped = source["presetsSkipped"];
	        this.settingsSkipped = source["settingsSkipped"];
	    }
	}

}

export namespace docs {
	
	export class Document {
	    id: number;
	    source: string;
	    title: string;
	    kind: string;
	    size: number;
	    chunks: number;
	    model: string;
	    status: string;
	    updatedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new Document(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.source = source["source"];
	        this.title = source["title"];
	        this.kind = source["kind"];
	        this.size = source["size"];
	        this.chunks = source["chunks"];
	        this.model = source["model"];
	        this.status = source["status"];
	        this.updatedAt = source["updatedAt"];
	    }
	}
	export class EmbedProgress {
	    model: string;
	    done: number;
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new EmbedProgress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.done = source["done"];
	        this.total = source["total"];
	    }
	}
	export class Full {
	    id: number;
	    source: string;
	    title: string;
	    kind: string;
	    size: number;
	    chunks: number;
	    model: string;
	    status: string;
	    updatedAt: number;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Full(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.source = source["source"];
	        this.title = source["title"];
	        this.kind = source["kind"];
	        this.size = source["size"];
	        this.chunks = source["chunks"];
	        this.model = source["model"];
	        this.status = source["status"];
	        this.updatedAt = source["updatedAt"];
	        this.text = source["text"];
	    }
	}
	export class Hit {
	    documentId: number;
	    title: string;
	    source: string;
	    chunkId: number;
	    ord: number;
	    lineStart: number;
	    lineEnd: number;
	    heading: string;
	    text: string;
	    snippet: string;
	    score: number;
	
	    static createFrom(source: any = {}) {
	        return new Hit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.documentId = source["documentId"];
	        this.title = source["title"];
	        this.source = source["source"];
	        this.chunkId = source["chunkId"];
	        this.ord = source["ord"];
	        this.lineStart = source["lineStart"];
	        this.lineEnd = source["lineEnd"];
	        this.heading = source["heading"];
	        this.text = source["text"];
	        this.snippet = source["snippet"];
	        this.score = source["score"];
	    }
	}
	export class Result {
	    source: string;
	    outcome: string;
	    reason?: string;
	    document?: number;
	    chunks?: number;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.source = source["source"];
	        this.outcome = source["outcome"];
	        this.reason = source["reason"];
	        this.document = source["document"];
	        this.chunks = source["chunks"];
	    }
	}

}

export namespace download {
	
	export class Progress {
	    name: string;
	    done: number;
	    total: number;
	    bytesPerSecond: number;
	    remaining: number;
	    resumed: boolean;
	    verifying: boolean;
	    completed: boolean;
	    finalPath?: string;
	
	    static createFrom(source: any = {}) {
	        return new Progress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.bytesPerSecond = source["bytesPerSecond"];
	        this.remaining = source["remaining"];
	        this.resumed = source["resumed"];
	        this.verifying = source["verifying"];
	        this.completed = source["completed"];
	        this.finalPath = source["finalPath"];
	    }
	}

}

export namespace localapi {
	
	export class AuthFailure {
	    // Go type: time
	    time: any;
	    remote: string;
	    path: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new AuthFailure(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.time = this.convertValues(source["time"], null);
	        this.remote = source["remote"];
	        this.path = source["path"];
	        this.reason = source["reason"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ClientSetup {
	    id: string;
	    client: string;
	    dialect: string;
	    where: string;
	    language: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new ClientSetup(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.client = source["client"];
	        this.dialect = source["dialect"];
	        this.where = source["where"];
	        this.language = source["language"];
	        this.text = source["text"];
	    }
	}
	export class DialectURL {
	    dialect: string;
	    baseUrl: string;
	    auth: string;
	
	    static createFrom(source: any = {}) {
	        return new DialectURL(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dialect = source["dialect"];
	        this.baseUrl = source["baseUrl"];
	        this.auth = source["auth"];
	    }
	}

}

export namespace modelcat {
	
	export class Entry {
	    id: string;
	    name: string;
	    family: string;
	    parameters: string;
	    quantization: string;
	    sizeBytes: number;
	    sizeApprox: boolean;
	    memoryBytes: number;
	    contextLength: number;
	    licence: string;
	    url: string;
	    sha256: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new Entry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.family = source["family"];
	        this.parameters = source["parameters"];
	        this.quantization = source["quantization"];
	        this.sizeBytes = source["sizeBytes"];
	        this.sizeApprox = source["sizeApprox"];
	        this.memoryBytes = source["memoryBytes"];
	        this.contextLength = source["contextLength"];
	        this.licence = source["licence"];
	        this.url = source["url"];
	        this.sha256 = source["sha256"];
	        this.description = source["description"];
	    }
	}
	export class Fit {
	    fits: boolean;
	    known: boolean;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new Fit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fits = source["fits"];
	        this.known = source["known"];
	        this.reason = source["reason"];
	    }
	}

}

export namespace models {
	
	export class Capabilities {
	    fillInMiddle: boolean;
	    toolCalls: boolean;
	    embeddings: boolean;
	    thinking: boolean;
	    vision: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Capabilities(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fillInMiddle = source["fillInMiddle"];
	        this.toolCalls = source["toolCalls"];
	        this.embeddings = source["embeddings"];
	        this.thinking = source["thinking"];
	        this.vision = source["vision"];
	    }
	}
	export class Info {
	    format: string;
	    architecture: string;
	    weightType: string;
	    params: number;
	    contextMax: number;
	    sizeBytes: number;
	    capabilities: Capabilities;
	    ownTemplate: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.format = source["format"];
	        this.architecture = source["architecture"];
	        this.weightType = source["weightType"];
	        this.params = source["params"];
	        this.contextMax = source["contextMax"];
	        this.sizeBytes = source["sizeBytes"];
	        this.capabilities = this.convertValues(source["capabilities"], Capabilities);
	        this.ownTemplate = source["ownTemplate"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace session {
	
	export class APIStatus {
	    settings: assistant.LocalAPISettings;
	    running: boolean;
	    url: string;
	    token: string;
	    error: string;
	    authFailures: number;
	    recent: localapi.AuthFailure[];
	
	    static createFrom(source: any = {}) {
	        return new APIStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], assistant.LocalAPISettings);
	        this.running = source["running"];
	        this.url = source["url"];
	        this.token = source["token"];
	        this.error = source["error"];
	        this.authFailures = source["authFailures"];
	        this.recent = this.convertValues(source["recent"], localapi.AuthFailure);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AttachedEvent {
	    chatId: number;
	    attachments: assistant.AttachmentView[];
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new AttachedEvent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chatId = source["chatId"];
	        this.attachments = this.convertValues(source["attachments"], assistant.AttachmentView);
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CatalogueEntry {
	    entry: modelcat.Entry;
	    fileName: string;
	    fit: modelcat.Fit;
	    installedId: string;
	
	    static createFrom(source: any = {}) {
	        return new CatalogueEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entry = this.convertValues(source["entry"], modelcat.Entry);
	        this.fileName = source["fileName"];
	        this.fit = this.convertValues(source["fit"], modelcat.Fit);
	        this.installedId = source["installedId"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CatalogueView {
	    entries: CatalogueEntry[];
	    source: string;
	    url: string;
	    fetchedAt: number;
	    totalMemory: number;
	
	    static createFrom(source: any = {}) {
	        return new CatalogueView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entries = this.convertValues(source["entries"], CatalogueEntry);
	        this.source = source["source"];
	        this.url = source["url"];
	        this.fetchedAt = source["fetchedAt"];
	        this.totalMemory = source["totalMemory"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ClientTokenView {
	    name: string;
	    created: number;
	    lastUsed: number;
	
	    static createFrom(source: any = {}) {
	        return new ClientTokenView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.created = source["created"];
	        this.lastUsed = source["lastUsed"];
	    }
	}
	export class ConnectView {
	    url: string;
	    running: boolean;
	    dialects: localapi.DialectURL[];
	    clients: localapi.ClientSetup[];
	
	    static createFrom(source: any = {}) {
	        return new ConnectView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.url = source["url"];
	        this.running = source["running"];
	        this.dialects = this.convertValues(source["dialects"], localapi.DialectURL);
	        this.clients = this.convertValues(source["clients"], localapi.ClientSetup);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class EmbeddingProgress {
	    model: string;
	    done: number;
	    total: number;
	    finished: boolean;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new EmbeddingProgress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.finished = source["finished"];
	        this.error = source["error"];
	    }
	}
	export class EmbeddingState {
	    active: string;
	    models: catalog.EmbeddingModel[];
	    running?: docs.EmbedProgress;
	
	    static createFrom(source: any = {}) {
	        return new EmbeddingState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = source["active"];
	        this.models = this.convertValues(source["models"], catalog.EmbeddingModel);
	        this.running = this.convertValues(source["running"], docs.EmbedProgress);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class IngestProgress {
	    files: number;
	    filesTotal: number;
	    chunks: number;
	    current: string;
	    done: boolean;
	    results: docs.Result[];
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new IngestProgress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = source["files"];
	        this.filesTotal = source["filesTotal"];
	        this.chunks = source["chunks"];
	        this.current = source["current"];
	        this.done = source["done"];
	        this.results = this.convertValues(source["results"], docs.Result);
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class EventPayloads {
	    token: assistant.TokenEvent;
	    done: assistant.DoneEvent;
	    chatUpdated: assistant.ChatView;
	    modelLoad: catalog.ModelLoadEvent;
	    download: catalog.DownloadEvent;
	    docsProgress: IngestProgress;
	    docsEmbedding: EmbeddingProgress;
	    docsFolder: watch.State;
	    dataProgress: dataexport.Progress;
	    chatAttached: AttachedEvent;
	
	    static createFrom(source: any = {}) {
	        return new EventPayloads(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.token = this.convertValues(source["token"], assistant.TokenEvent);
	        this.done = this.convertValues(source["done"], assistant.DoneEvent);
	        this.chatUpdated = this.convertValues(source["chatUpdated"], assistant.ChatView);
	        this.modelLoad = this.convertValues(source["modelLoad"], catalog.ModelLoadEvent);
	        this.download = this.convertValues(source["download"], catalog.DownloadEvent);
	        this.docsProgress = this.convertValues(source["docsProgress"], IngestProgress);
	        this.docsEmbedding = this.convertValues(source["docsEmbedding"], EmbeddingProgress);
	        this.docsFolder = this.convertValues(source["docsFolder"], watch.State);
	        this.dataProgress = this.convertValues(source["dataProgress"], dataexport.Progress);
	        this.chatAttached = this.convertValues(source["chatAttached"], AttachedEvent);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class HuggingFaceModel {
	    name: string;
	    repo: string;
	    revision: string;
	    path: string;
	    sizeBytes: number;
	    kind: string;
	    format: string;
	    importedId: string;
	
	    static createFrom(source: any = {}) {
	        return new HuggingFaceModel(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.repo = source["repo"];
	        this.revision = source["revision"];
	        this.path = source["path"];
	        this.sizeBytes = source["sizeBytes"];
	        this.kind = source["kind"];
	        this.format = source["format"];
	        this.importedId = source["importedId"];
	    }
	}
	
	export class NewClientToken {
	    name: string;
	    token: string;
	    pathUrl: string;
	
	    static createFrom(source: any = {}) {
	        return new NewClientToken(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.token = source["token"];
	        this.pathUrl = source["pathUrl"];
	    }
	}
	export class Status {
	    ready: boolean;
	    needsPassphrase: boolean;
	    canUsePassphrase: boolean;
	    error: string;
	    help: string;
	    dataDir: string;
	    logFile: string;
	    version: string;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ready = source["ready"];
	        this.needsPassphrase = source["needsPassphrase"];
	        this.canUsePassphrase = source["canUsePassphrase"];
	        this.error = source["error"];
	        this.help = source["help"];
	        this.dataDir = source["dataDir"];
	        this.logFile = source["logFile"];
	        this.version = source["version"];
	    }
	}

}

export namespace watch {
	
	export class State {
	    id: number;
	    path: string;
	    status: string;
	    done: number;
	    total: number;
	    files: number;
	    error: string;
	    polling: boolean;
	    notice: string;
	    lastSync: number;
	    seq: number;
	
	    static createFrom(source: any = {}) {
	        return new State(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.path = source["path"];
	        this.status = source["status"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.files = source["files"];
	        this.error = source["error"];
	        this.polling = source["polling"];
	        this.notice = source["notice"];
	        this.lastSync = source["lastSync"];
	        this.seq = source["seq"];
	    }
	}

}

