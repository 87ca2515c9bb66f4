export namespace assistant {
	
	export class MessageView {
	    id: number;
	    chatId: number;
	    role: string;
	    content: string;
	    model: string;
	    status: string;
	    error: string;
	    promptTokens: number;
	    completionTokens: number;
	    durationMs: number;
	    createdAt: number;
	
	    static createFrom(source: any = {}) {
	        return new MessageView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.chatId = source["chatId"];
	        this.role = source["role"];
	        this.content = source["content"];
	        this.model = source["model"];
	        this.status = source["status"];
	        this.error = source["error"];
	        this.promptTokens = source["promptTokens"];
	        this.completionTokens = source["completionTokens"];
	        this.durationMs = source["durationMs"];
	        this.createdAt = source["createdAt"];
	    }
	}
	export class ChatView {
	    id: number;
	    title: string;
	    model: string;
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
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	    }
	}
	export class ChatDetail {
	    chat: ChatView;
	    messages: MessageView[];
	    generating: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ChatDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chat = this.convertValues(source["chat"], ChatView);
	        this.messages = this.convertValues(source["messages"], MessageView);
	        this.generating = source["generating"];
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
	
	
	export class ModelView {
	    id: string;
	    name: string;
	    provider: string;
	    local: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ModelView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.provider = source["provider"];
	        this.local = source["local"];
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

}

export namespace main {
	
	export class Status {
	    ready: boolean;
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
	        this.error = source["error"];
	        this.help = source["help"];
	        this.dataDir = source["dataDir"];
	        this.logFile = source["logFile"];
	        this.version = source["version"];
	    }
	}

}

